// Names a checkpoint chooses (tensor keys, dotted paths, imported modules, the file name itself) reach the
// analyst through `safeload convert` (terminal text, JSON) and the remediation plan (Markdown, a shell
// command). None of them may act there: no ANSI sequence, bidi override, new line or shell expansion.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCommand } from '../../src/lib/cli/convert-command';
import { hostileNamesCheckpoint, hostileRefusedCheckpoint, readSafetensors } from './torch-checkpoint';
import { STRICT_POLICY } from '../../src/lib/core/policy/builtin';
import { evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import { planRemediation } from '../../src/lib/core/remediation/actions';
import { remediationMarkdown } from '../../src/lib/core/remediation/markdown';
import { hasDisplayControls, terminalText } from '../../src/lib/core/report/escape';
import { buildTriageReport } from '../../src/lib/core/triage/build';
import { scanFiles } from './policy-fixtures';

/** Clears the screen, sets the window title, reverses what follows, breaks the line, runs commands in a shell. */
const HOSTILE = 'x\u001b[2J\u001b]0;pwned\u0007\u202egnp.\r\n$(touch /tmp/pwn)`id`;a|b&c\u2066';
/** A module name: an ANSI colour, a bidi override, a new line, a command substitution. */
const MODULE = 'os\u001b[31m\u202e\n$(id)';

const exec = promisify(execFile);

/** Runs a POSIX shell word list through `sh` and returns the words it received (no command runs). */
async function shellWords(command: string): Promise<string[]> {
  const { stdout } = await exec('/bin/sh', ['-c', `set -- ${command}; printf '%s\\0' "$@"`]);
  return stdout.split('\0').slice(0, -1);
}

/** The command itself, without the CLI's last-resort escaping of whole outputs: its own fields must be escaped. */
async function convert(...argv: string[]) {
  let out = '';
  const code = await convertCommand(argv, { out: (t) => (out += t), err: () => {} });
  return { code, out };
}

let dir = '';
// A file name may hold anything but "/" and NUL.
const fileName = `${HOSTILE.replaceAll('/', '∕')}.pt`;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-convert-names-'));
  writeFileSync(join(dir, fileName), hostileNamesCheckpoint(HOSTILE, MODULE));
  writeFileSync(join(dir, 'refused.pt'), hostileRefusedCheckpoint(HOSTILE));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('convert: hostile names in its outputs', () => {
  it('writes the names faithfully into the safetensors file', async () => {
    const { code } = await convert(join(dir, fileName), '-o', join(dir, 'out.safetensors'));
    expect(code).toBe(0);
    const written = readSafetensors(new Uint8Array(readFileSync(join(dir, 'out.safetensors'))));
    expect([...written.tensors.keys()].sort()).toEqual([`${HOSTILE}.view`, `${HOSTILE}.weight`]);
    expect(written.metadata[`${HOSTILE}.tied`]).toBe(`${HOSTILE}.weight`);
  });

  it('prints every file-provided name escaped, one line each, in the terminal text', async () => {
    const { code, out } = await convert(join(dir, fileName), '-o', join(dir, 'text.safetensors'));
    expect(code).toBe(0);
    const lines = out.split('\n');
    for (const line of lines) expect(hasDisplayControls(line), line).toBe(false);
    const name = terminalText(HOSTILE);
    expect(name).toContain('\\u001b[2J');
    expect(name).toContain('\\u202e');
    expect(name).toContain('\\r\\n$(touch');
    expect(lines).toContain(`    - ${name}.tied = ${name}.weight`);
    expect(lines).toContain(`    - ${name}.view`);
    expect(lines.some((l) => l.startsWith(`input   ${terminalText(join(dir, fileName))}  `))).toBe(true);
    const module = terminalText(MODULE);
    expect(lines).toContain(
      `    - ${name}.payload: result of calling ${module}.system [imports ${module}.system]`
    );
    expect(lines.some((l) => l.startsWith(`    - ${module}.system ×1 (REDUCE at byte `))).toBe(true);
    expect(lines.some((l) => l.startsWith('$(touch'))).toBe(false);
  });

  it('lists a refused tensor by its escaped name and gives back the exact names in --json', async () => {
    const text = await convert(join(dir, 'refused.pt'), '-o', join(dir, 'refused.safetensors'));
    expect(text.code).toBe(1);
    for (const line of text.out.split('\n')) expect(hasDisplayControls(line), line).toBe(false);
    expect(text.out).toContain(
      `    - ${terminalText(HOSTILE)}: dtype float8_e4m3fnuz has no safetensors equivalent`
    );
    const json = await convert(join(dir, 'refused.pt'), '-o', join(dir, 'refused.safetensors'), '--json');
    expect(JSON.parse(json.out).refused[0].name).toBe(HOSTILE);
  });
});

// The plan converts only files without a critical finding (critical ones are quarantined), so these use the
// refused checkpoint: an unsafe but not critical pickle.
describe('convert: hostile file names in the remediation plan', () => {
  it('suggests a convert command whose every path is one shell word, fenced as one line in Markdown', async () => {
    const files = await scanFiles([[`models/${fileName}`, join(dir, 'refused.pt')]]);
    const triage = buildTriageReport({ model: { name: 'm' }, files });
    const plan = planRemediation(triage, evaluatePolicy(STRICT_POLICY, triage));
    const action = plan.actions.find((a) => a.kind === 'convert-to-safetensors')!;
    expect(await shellWords(action.command!)).toEqual([
      'safeload',
      'convert',
      `models/${fileName}`,
      '-o',
      'models/model.safetensors'
    ]);
    const md = remediationMarkdown(plan, triage);
    const fence = `\`\`\`sh\n${terminalText(action.command!)}\n\`\`\``;
    expect(md).toContain(fence);
    for (const line of md.split('\n')) expect(hasDisplayControls(line), line).toBe(false);
  });

  it('names a file that starts with "-" as a path, not an option', async () => {
    const triage = buildTriageReport({
      model: { name: 'm' },
      files: await scanFiles([['--force.pt', join(dir, 'refused.pt')]])
    });
    const plan = planRemediation(triage, evaluatePolicy(STRICT_POLICY, triage));
    const command = plan.actions.find((a) => a.kind === 'convert-to-safetensors')!.command!;
    expect(await shellWords(command)).toEqual([
      'safeload',
      'convert',
      './--force.pt',
      '-o',
      'model.safetensors'
    ]);
  });
});
