// The GitHub Action (action.yml): its metadata wires every input to the gate script safely, and the script,
// run as the Action runs it (inputs as INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the
// workspace as working directory), gates real fixtures with the gate's exit codes.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const script = join(root, 'action/run-gate.mjs');
const fixture = (name: string) => join(root, 'tests/fixtures', name);

interface ActionYml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: {
    using: string;
    steps: {
      id?: string;
      uses?: string;
      run?: string;
      if?: string;
      env?: Record<string, string>;
      with?: Record<string, string>;
    }[];
  };
}

const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as ActionYml;
/** Inputs that configure the Action itself rather than the gate. */
const ACTION_ONLY = ['upload-sarif', 'category', 'node-version'];

interface Run {
  code: number | null;
  outputs: Record<string, string>;
  summary: string;
  stderr: string;
}

describe('action.yml', () => {
  const gate = action.runs.steps.find((s) => s.id === 'gate')!;

  it('is a composite action whose gate step gets every gate input as an environment variable', () => {
    expect(action.runs.using).toBe('composite');
    const gateInputs = Object.keys(action.inputs).filter((n) => !ACTION_ONLY.includes(n));
    expect(gate.env).toEqual(
      Object.fromEntries(
        gateInputs.map((n) => [`INPUT_${n.replaceAll('-', '_').toUpperCase()}`, `\${{ inputs.${n} }}`])
      )
    );
    expect(action.inputs.path.required).toBe(true);
  });

  it('never splices an input into a shell line (no script injection)', () => {
    for (const step of action.runs.steps.filter((s) => s.run))
      expect(step.run, step.run).not.toMatch(/\$\{\{\s*(inputs|github\.event)\./);
  });

  it('uploads the SARIF with code scanning, also when the gate failed', () => {
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.if).toMatch(/^always\(\) && /);
    expect(upload.with).toMatchObject({ sarif_file: '${{ steps.gate.outputs.sarif-file }}' });
    expect(Object.keys(action.outputs).sort()).toEqual(['exit-code', 'report-file', 'sarif-file']);
  });
});

describe('the gate script with the Action inputs', () => {
  let workspace: string;

  /** Runs the script as the gate step does; `inputs` are the Action's inputs by name. */
  function runAction(inputs: Record<string, string>): Run {
    const dir = mkdtempSync(join(tmpdir(), 'safeload-action-run-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      // The Action's defaults, as the runner fills them in.
      INPUT_SARIF: action.inputs.sarif.default,
      INPUT_REPORT: action.inputs.report.default,
      INPUT_ONLINE: action.inputs.online.default
    };
    for (const [name, value] of Object.entries(inputs))
      env[`INPUT_${name.replaceAll('-', '_').toUpperCase()}`] = value;
    const r = spawnSync(process.execPath, [script], { cwd: workspace, env, encoding: 'utf8' });
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
    const outputs = Object.fromEntries(
      read('output')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
    );
    return { code: r.status, outputs, summary: read('summary'), stderr: r.stderr };
  }

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'safeload-action-'));
    mkdirSync(join(workspace, 'models/good'), { recursive: true });
    copyFileSync(
      fixture('safetensors/tiny-benign.safetensors'),
      join(workspace, 'models/good/model.safetensors')
    );
    copyFileSync(fixture('models/torch_state_dict.pt'), join(workspace, 'models/good/pytorch_model.bin'));
    mkdirSync(join(workspace, 'models/vendor'), { recursive: true });
    copyFileSync(
      fixture('models/torch_zip_os_system.pt'),
      join(workspace, 'models/vendor/pytorch_model.bin')
    );
    // A policy that needs no signature, manifest or licence: the scan decides.
    writeFileSync(
      join(workspace, 'policy.yaml'),
      'rules:\n  - id: no-critical\n    severity: deny\n    expression: model.findingCounts.critical == 0\n    message: Critical findings.\n'
    );
  });

  it('passes a clean model (exit 0) and writes the SARIF, the report and the outputs', () => {
    const r = runAction({ path: 'models/good', policy: 'policy.yaml' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toEqual({
      'exit-code': '0',
      'sarif-file': 'safeload.sarif',
      'report-file': 'safeload-remediation.md'
    });
    const sarif = JSON.parse(readFileSync(join(workspace, 'safeload.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([]);
    expect(r.summary).toMatch(/^## Safeload gate passed/);
  });

  it('fails a malicious model (exit 1): the SARIF holds the finding and the violated rule, the summary the fix', () => {
    const r = runAction({
      path: 'models/vendor',
      policy: 'policy.yaml',
      sarif: 'out/vendor.sarif',
      report: 'vendor.md'
    });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ 'exit-code': '1', 'sarif-file': 'out/vendor.sarif' });
    const results = JSON.parse(readFileSync(join(workspace, 'out/vendor.sarif'), 'utf8')).runs[0].results;
    expect(results.map((x: { ruleId: string }) => x.ruleId)).toEqual(
      expect.arrayContaining(['pickle.call.dangerous', 'policy/no-critical'])
    );
    expect(r.summary).toMatch(/^## Safeload gate failed: a deny rule was violated/);
    expect(r.summary).toContain('# Remediation report');
  });

  it('by default (the baseline) a benign unsigned model passes; with safeload/strict it fails', () => {
    expect(runAction({ path: 'models/good' }).code).toBe(0);
    expect(runAction({ path: 'models/good', policy: 'safeload/strict' }).code).toBe(1);
  });

  it('takes inputs literally: a path that looks like an option or a shell command is just a path', () => {
    for (const name of ['--json', '$(touch pwned)', 'a; touch pwned']) {
      mkdirSync(join(workspace, name), { recursive: true });
      copyFileSync(fixture('models/torch_state_dict.pt'), join(workspace, name, 'pytorch_model.bin'));
      const r = runAction({ path: name, policy: 'policy.yaml' });
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    }
    expect(existsSync(join(workspace, 'pwned'))).toBe(false);
  });

  it('exits 2 when the gate cannot decide: a missing path, no path, a bad online value', () => {
    const missing = runAction({ path: 'models/nothing-here' });
    expect(missing.code).toBe(2);
    expect(missing.outputs['exit-code']).toBe('2');
    expect(missing.outputs['sarif-file']).toBeUndefined();
    expect(missing.summary).toMatch(/could not decide/);
    expect(runAction({ path: '' }).code).toBe(2);
    const online = runAction({ path: 'models/good', online: 'yes' });
    expect(online.code).toBe(2);
    expect(online.stderr).toMatch(/"online" input must be true or false/);
  });
});
