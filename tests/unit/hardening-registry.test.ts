import { beforeAll, describe, expect, it } from 'vitest';
import { STRICT_POLICY } from '../../src/lib/core/policy/builtin';
import { evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import type { PolicySet, RuleResult } from '../../src/lib/core/policy/types';
import {
  exportRegistry,
  importRegistry,
  parseRegistryExport,
  recordTriage,
  serializeRegistry
} from '../../src/lib/core/registry';
import { MemoryRegistryStore } from './memory-registry-store';
import { buildTriageReport } from '../../src/lib/core/triage/build';
import type { TriageReport } from '../../src/lib/core/triage/types';
import { createPolicyRunner, type PolicyWorkerHandle } from '../../src/lib/workers/policy-runner';
import { fixture, scanFiles } from './policy-fixtures';

let malicious: TriageReport;
const LENIENT: PolicySet = {
  ...STRICT_POLICY,
  rules: STRICT_POLICY.rules.filter(
    (r) => !['approved-signer', 'provenance-pinned', 'license-allowed'].includes(r.id)
  )
};
const evaluate = async (report: TriageReport, at: string) => evaluatePolicy(LENIENT, report, at);

beforeAll(async () => {
  malicious = buildTriageReport({
    model: { name: 'evil/model', version: '0.1' },
    files: await scanFiles([['pytorch_model.bin', fixture('models/torch_zip_os_system.pt')]]),
    createdAt: '2026-03-02T10:00:00.000Z'
  });
});

/** An export of one record, edited by `forge` the way an attacker would edit the JSON file. */
async function forgedExport(forge: (file: { records: Record<string, unknown>[] }) => void): Promise<string> {
  const theirs = new MemoryRegistryStore();
  await recordTriage(theirs, malicious, evaluatePolicy(LENIENT, malicious, '2026-03-02T10:00:01.000Z'));
  const file = JSON.parse(serializeRegistry(await exportRegistry(theirs)));
  forge(file);
  return JSON.stringify(file);
}

function passingEvaluation(at: string) {
  const honest = evaluatePolicy(LENIENT, malicious, at);
  return {
    ...honest,
    outcome: 'pass',
    counts: { pass: honest.results.length, violation: 0, error: 0 },
    results: honest.results.map((r) => ({ ...r, outcome: 'pass' }))
  };
}

describe('registry import never takes a verdict from the file', () => {
  it('a forged newer "pass" does not flip a failing record whose triage is still critical', async () => {
    const mine = new MemoryRegistryStore();
    await recordTriage(mine, malicious, evaluatePolicy(LENIENT, malicious, '2026-03-02T10:00:01.000Z'));
    expect((await mine.get('evil/model', '0.1'))!.status).toBe('fail');
    const text = await forgedExport((file) => {
      const record = file.records[0] as { policyResults: unknown[]; status: string; reports: TriageReport[] };
      record.reports[0] = { ...record.reports[0], createdAt: '2026-04-01T00:00:00.000Z' };
      record.policyResults.push(passingEvaluation('2099-01-01T00:00:00.000Z'));
      record.status = 'pass';
    });
    await importRegistry(mine, parseRegistryExport(text), evaluate, '2026-04-02T00:00:00.000Z');
    const record = (await mine.get('evil/model', '0.1'))!;
    expect(record.status).toBe('fail');
    expect(record.policyResults.every((e) => e.outcome === 'fail')).toBe(true);
  });

  it('a new record gets the active policy’s verdict, not the one it arrived with', async () => {
    const text = await forgedExport((file) => {
      const record = file.records[0] as { policyResults: unknown[]; status: string };
      record.policyResults = [passingEvaluation('2026-03-02T10:00:01.000Z')];
      record.status = 'pass';
    });
    const fresh = new MemoryRegistryStore();
    await importRegistry(fresh, parseRegistryExport(text), evaluate, '2026-04-02T00:00:00.000Z');
    const record = (await fresh.get('evil/model', '0.1'))!;
    expect(record.status).toBe('fail');
    expect(record.policyResults.map((e) => e.evaluatedAt)).toEqual(['2026-04-02T00:00:00.000Z']);
  });

  it('a triage that calls itself clean over a critical finding is summarised from its files', async () => {
    const text = await forgedExport((file) => {
      const report = (file.records[0] as { reports: TriageReport[] }).reports[0];
      report.summary = {
        ...report.summary,
        verdict: 'clean',
        findingCounts: { ...report.summary.findingCounts, critical: 0 }
      };
      report.files = report.files.map((f) => ({ ...f, verdict: 'clean' }));
    });
    const parsed = parseRegistryExport(text);
    const report = parsed.records[0].reports[0];
    expect(report.summary.verdict).toBe('critical');
    expect(report.files[0].verdict).toBe('critical');
    expect(report.summary.findingCounts.critical).toBeGreaterThan(0);
  });

  it('refuses repo ids and commits a suggested command would carry', async () => {
    const text = await forgedExport((file) => {
      const report = (file.records[0] as { reports: TriageReport[] }).reports[0];
      report.provenance = { ...report.provenance, repoId: 'acme/x $(id)', commit: 'c'.repeat(40) };
    });
    expect(() => parseRegistryExport(text)).toThrow(/records\[0\]\.reports\[0\]\.provenance\.repoId/);
  });
});

/** A stand-in worker that evaluates in process, and hangs forever on rules whose id starts with "hang". */
function fakeWorker(started: { count: number; terminated: number }): () => PolicyWorkerHandle {
  return () => {
    started.count++;
    let alive = true;
    return {
      crashed: new Promise<never>(() => undefined),
      terminate: () => {
        alive = false;
        started.terminated++;
      },
      api: {
        evaluateRules: (set, report, from, onRule, onResult) =>
          new Promise<RuleResult[]>((resolve) => {
            const results: RuleResult[] = [];
            for (let i = from; i < set.rules.length; i++) {
              onRule(i);
              if (set.rules[i].id.startsWith('hang')) return; // never settles, like a runaway rule
              const one = evaluatePolicy({ ...set, rules: [set.rules[i]] }, report).results[0];
              onResult(i, one);
              results.push(one);
            }
            if (alive) resolve(results);
          })
      } as PolicyWorkerHandle['api']
    };
  };
}

describe('the app evaluates policies in a worker it can end', () => {
  it('a rule that never finishes ends its worker, becomes a positioned error, and the next rules still run', async () => {
    const started = { count: 0, terminated: 0 };
    const runner = createPolicyRunner({
      startWorker: fakeWorker(started),
      ruleTimeMs: 50,
      proxy: (f) => f
    });
    const set: PolicySet = {
      name: 'p',
      params: {},
      rules: [
        { id: 'first', severity: 'deny', expression: 'model.complete', message: 'm' },
        { id: 'hang', severity: 'deny', expression: 'model.files.all(f, true)', message: 'm' },
        { id: 'last', severity: 'warn', expression: 'model.verdict == "critical"', message: 'm' }
      ]
    };
    const evaluation = await runner.evaluate(set, malicious, '2026-01-01T00:00:00.000Z');
    expect(evaluation.results.map((r) => r.outcome)).toEqual(['pass', 'error', 'pass']);
    expect(evaluation.results[1].error).toMatchObject({ kind: 'limit', line: 1, column: 1 });
    expect(evaluation.results[1].error!.message).toMatch(/stopped after 0\.05 s/);
    expect(evaluation.outcome).toBe('error');
    expect(started).toEqual({ count: 2, terminated: 1 });
  });

  it('once the policy’s time is spent, the remaining rules are errors without running', async () => {
    const started = { count: 0, terminated: 0 };
    const runner = createPolicyRunner({
      startWorker: fakeWorker(started),
      ruleTimeMs: 30,
      policyTimeMs: 50,
      proxy: (f) => f
    });
    const hang = (id: string) => ({ id, severity: 'deny' as const, expression: 'true', message: 'm' });
    const set: PolicySet = { name: 'p', params: {}, rules: [hang('hang-1'), hang('hang-2'), hang('hang-3')] };
    const evaluation = await runner.evaluate(set, malicious);
    expect(evaluation.results.every((r) => r.outcome === 'error' && r.error?.kind === 'limit')).toBe(true);
    expect(evaluation.results.at(-1)!.error!.message).toMatch(/not evaluated/);
    expect(started.count).toBeLessThan(3);
  });
});
