#!/usr/bin/env node
// The GitHub Action's step (action.yml): runs `safeload gate` with the Action's inputs, which arrive as
// INPUT_* environment variables — never spliced into a shell line, so a path or policy name cannot inject
// commands. Writes the step outputs and a job summary, and exits with the gate's code (0 pass, 1 a deny rule
// failed, 2 the gate could not decide). SAFELOAD_BIN names the command (default: this checkout's launcher).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Inputs passed through as `--name=value` when set; booleans as a bare flag when "true". */
const VALUE_INPUTS = [
  'policy',
  'manifest',
  'manifest-key',
  'signature',
  'identity',
  'issuer',
  'key',
  'certificate-chain',
  'trusted-root',
  'osv-db',
  'sarif',
  'cyclonedx',
  'report'
];
const FLAG_INPUTS = ['online'];
const MAX_SUMMARY_BYTES = 512 * 1024;
/** Inputs naming files the gate writes. */
const OUTPUT_FILES = ['sarif', 'cyclonedx', 'report'];

/**
 * @param {string} name
 * @param {NodeJS.ProcessEnv} [env]
 */
function input(name, env = process.env) {
  return (env[`INPUT_${name.replaceAll('-', '_').toUpperCase()}`] ?? '').trim();
}

/**
 * The `safeload gate` arguments for the inputs: options first, then `--` and the path.
 * @param {NodeJS.ProcessEnv} [env]
 */
export function gateArgs(env = process.env) {
  const path = input('path', env);
  if (!path) throw new Error('the "path" input is required: the model file or folder to gate');
  const args = ['gate'];
  for (const name of VALUE_INPUTS) {
    const value = input(name, env);
    if (value) args.push(`--${name}=${value}`);
  }
  for (const name of FLAG_INPUTS) {
    const value = input(name, env).toLowerCase();
    if (value === 'true') args.push(`--${name}`);
    else if (value !== '' && value !== 'false') throw new Error(`the "${name}" input must be true or false`);
  }
  return [...args, '--', path];
}

/**
 * Appends `name=value` to $GITHUB_OUTPUT (values here are exit codes and paths without line breaks).
 * @param {string} name
 * @param {string} value
 */
function setOutput(name, value) {
  if (!process.env.GITHUB_OUTPUT) return;
  if (/[\r\n]/.test(value)) throw new Error(`output ${name} would span lines`);
  appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

/** @type {Record<number, string>} */
const VERDICT = {
  0: 'passed',
  1: 'failed: a deny rule was violated',
  2: 'could not decide (usage, I/O or policy error)'
};

/**
 * @param {number} code
 * @param {string} report
 */
function summarise(code, report) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  let text = `## Safeload gate ${VERDICT[code] ?? `exited ${code}`}\n\n`;
  if (report && existsSync(report)) {
    const md = readFileSync(report, 'utf8');
    text +=
      md.length > MAX_SUMMARY_BYTES ? `${md.slice(0, MAX_SUMMARY_BYTES)}\n\n…(cut; see ${report})\n` : md;
  }
  appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${text}\n`);
}

function main() {
  let args;
  try {
    args = gateArgs();
  } catch (err) {
    console.error(`safeload action: ${/** @type {Error} */ (err).message}`);
    setOutput('exit-code', '2');
    return 2;
  }
  // A file left by an earlier run must never pass for this run's result; the folders are made as needed.
  for (const name of OUTPUT_FILES) {
    const file = input(name);
    if (!file) continue;
    rmSync(file, { force: true });
    mkdirSync(dirname(file), { recursive: true });
  }
  const bin = process.env.SAFELOAD_BIN || fileURLToPath(new URL('../bin/safeload.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  const code = result.status ?? 2;
  if (result.error) console.error(`safeload action: ${result.error.message}`);
  setOutput('exit-code', String(code));
  const sarif = input('sarif');
  if (sarif && existsSync(sarif)) setOutput('sarif-file', sarif);
  const report = input('report');
  if (report && existsSync(report)) setOutput('report-file', report);
  summarise(code, report);
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main();
