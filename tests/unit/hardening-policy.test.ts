import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import { PolicyError } from '../../src/lib/core/policy/errors';
import { parsePolicySet } from '../../src/lib/core/policy/policy-set';
import type { PolicySet } from '../../src/lib/core/policy/types';
import { buildTriageReport } from '../../src/lib/core/triage/build';
import type { FileReport } from '../../src/lib/core/findings';
import { checkPolicyText } from '../../src/lib/state/policy-text';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/safeload.mjs');

async function gate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // A gate that never ends is killed, so a regression fails the test instead of leaving a process behind.
    const { stdout, stderr } = await run(process.execPath, [bin, 'gate', ...args], { timeout: 25_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function files(count: number): FileReport[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `shard-${i}.safetensors`,
    size: 10,
    sha256: null,
    gitSha1: null,
    formats: ['safetensors'],
    verdict: 'clean' as const,
    complete: true,
    findings: [],
    facts: {}
  })) as unknown as FileReport[];
}

const TEN = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
/** Ten nested comprehensions over ten elements: 10^10 iterations, hours of CPU. */
const NESTED = Array.from({ length: 10 }, (_, i) => `${TEN}.all(x${i}, `).join('') + 'true' + ')'.repeat(10);

function rule(expression: string): PolicySet {
  return { name: 'hostile', params: {}, rules: [{ id: 'r', severity: 'deny', expression, message: 'm' }] };
}

/** A YAML alias bomb: each anchor is ten aliases of the previous one (10^9 scalars when expanded). */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`
    );
  return `name: bomb\nextends: safeload/builtin\nparams:\n  ${lines.join('\n  ')}\nrules: []\n`;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-policy-'));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'config.json'), '{"a": 1}\n');
});

describe('policy evaluation is bounded', () => {
  it('refuses nested comprehensions before running them, positioned at the part that is too costly', () => {
    const triage = buildTriageReport({ model: { name: 'm' }, files: [] });
    const evaluation = evaluatePolicy(rule(`model.complete &&\n  ${NESTED}`), triage);
    expect(evaluation.outcome).toBe('error');
    const error = evaluation.results[0].error!;
    expect(error.kind).toBe('limit');
    expect(error.message).toMatch(/evaluation steps/);
    expect(error.line).toBe(2);
    expect(error.column).toBeGreaterThan(2);
  }, 20_000);

  it('counts the real input: a comprehension over two model.files is fine on 10 files and refused on 20,000', () => {
    const pairwise = rule('model.files.all(a, model.files.all(b, a.path == b.path || a.size > 0))');
    const small = buildTriageReport({ model: { name: 'm' }, files: files(10) });
    expect(evaluatePolicy(pairwise, small).outcome).toBe('pass');
    const large = buildTriageReport({ model: { name: 'm' }, files: files(20_000) });
    const result = evaluatePolicy(pairwise, large).results[0];
    expect(result.outcome).toBe('error');
    expect(result.error).toMatchObject({ kind: 'limit', line: 1 });
    // One pass over 20,000 files is cheap and stays allowed.
    expect(evaluatePolicy(rule('model.files.all(f, f.size > 0)'), large).outcome).toBe('pass');
  }, 20_000);

  it('the gate exits 2 with the position when a policy would never finish', async () => {
    writeFileSync(
      join(dir, 'nested.yaml'),
      `name: hostile\nrules:\n  - id: forever\n    severity: deny\n    message: m\n    expression: >-\n      ${NESTED}\n`
    );
    const r = await gate(join(dir, 'model'), '--policy', join(dir, 'nested.yaml'));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/forever\s+deny\s+ERROR\s+1:\d+ this would take up to/);
  }, 30_000);

  it('the gate stops a backtracking regular expression after its time limit and exits 2', async () => {
    writeFileSync(
      join(dir, 'redos.yaml'),
      `name: hostile\nrules:\n  - id: redos\n    severity: deny\n    message: m\n    expression: "model.name.matches('^(a+)+$')"\n`
    );
    const r = await gate(
      join(dir, 'model'),
      '--policy',
      join(dir, 'redos.yaml'),
      '--name',
      `${'a'.repeat(40)}!`
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/redos\s+deny\s+ERROR\s+1:1 stopped after/);
  }, 30_000);

  it('a YAML alias bomb is a positioned problem in the editor and the gate, not an exception', async () => {
    expect(() => parsePolicySet(aliasBomb())).toThrow(PolicyError);
    const checked = checkPolicyText(aliasBomb());
    expect(checked.set).toBeNull();
    expect(checked.problems).toHaveLength(1);
    expect(checked.problems[0]).toMatchObject({ line: 5, message: expect.stringMatching(/alias/i) });
    writeFileSync(join(dir, 'bomb.yaml'), aliasBomb());
    const r = await gate(join(dir, 'model'), '--policy', join(dir, 'bomb.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bomb\.yaml:5:\d+: \$: YAML aliases/);
    expect(r.stderr).not.toMatch(/unexpected error/);
  }, 30_000);
});
