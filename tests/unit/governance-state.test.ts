import { describe, expect, it } from 'vitest';
import { STRICT_POLICY, evaluatePolicy } from '../../src/lib/core/policy';
import type { ModelVersionRecord } from '../../src/lib/core/registry';
import type { FileJob } from '../../src/lib/state/file-job';
import { checkPolicyText, DEFAULT_POLICY_TEXT, locateExpressionError } from '../../src/lib/state/policy-text';
import { filterRecords, modelGraph, NO_FILTER, severityByDay } from '../../src/lib/state/registry-view';
import {
  commonFolder,
  scannedReports,
  sessionTriage,
  suggestedName
} from '../../src/lib/state/session-triage';
import { readModelExtras } from '../../src/lib/workers/model-extras';
import { fixture, scanFiles } from './policy-fixtures';

async function jobsOf(files: [string, string][]): Promise<FileJob[]> {
  const reports = await scanFiles(files.map(([path, disk]) => [path, disk]));
  return reports.map((report, i) => ({
    id: i + 1,
    path: report.path,
    size: report.size,
    batch: 1,
    state: 'done',
    done: report.size,
    sha256: report.sha256!,
    gitSha1: report.gitSha1!,
    report
  }));
}

function record(name: string, version: string, jobs: FileJob[], createdAt: string): ModelVersionRecord {
  const report = sessionTriage(jobs, { name, version, source: '' }, {}, createdAt);
  const evaluation = evaluatePolicy(
    { ...STRICT_POLICY, rules: STRICT_POLICY.rules.filter((r) => r.id === 'no-critical-findings') },
    report,
    createdAt
  );
  return {
    name,
    version,
    source: null,
    manifestDigest: null,
    reports: [report],
    policyResults: [evaluation],
    status: evaluation.outcome,
    createdAt,
    updatedAt: createdAt
  };
}

describe('policy text', () => {
  it('the template extends the built-in set and has no problems', () => {
    const checked = checkPolicyText(DEFAULT_POLICY_TEXT);
    expect(checked.problems).toEqual([]);
    expect(checked.set?.rules.map((r) => r.id)).toEqual(STRICT_POLICY.rules.map((r) => r.id));
  });

  it('positions expression errors in the file for plain, quoted and block scalars', () => {
    const text = [
      'name: t',
      'rules:',
      '  - id: plain',
      '    severity: deny',
      '    expression: model.complete && nope',
      '    message: m',
      '  - id: quoted',
      '    severity: warn',
      '    expression: "model.files.size() > )"',
      '    message: m',
      '  - id: block',
      '    severity: deny',
      '    expression: |',
      '      model.complete &&',
      '        model.findingCounts.critical == "x" +',
      '    message: m',
      ''
    ].join('\n');
    const problems = checkPolicyText(text).problems;
    const at = Object.fromEntries(problems.map((p) => [p.ruleId, [p.line, p.column]]));
    expect(at.plain).toEqual([5, 35]);
    expect(at.quoted).toEqual([9, 39]);
    expect(at.block?.[0]).toBe(15);
    expect(problems.find((p) => p.ruleId === 'plain')?.message).toMatch(/nope/);
  });

  it('YAML and schema problems carry the position of the offending node', () => {
    const bad = checkPolicyText(
      'name: t\nrules:\n  - id: a\n    severity: sometimes\n    expression: "true"\n    message: m\n'
    );
    expect(bad.set).toBeNull();
    expect(bad.problems).toEqual([
      expect.objectContaining({ line: 4, message: expect.stringMatching(/severity/) })
    ]);
    expect(checkPolicyText('rules: [\n').problems[0].line).toBeGreaterThan(0);
  });

  it('falls back to the scalar start when the expression text was rewritten by YAML escapes', () => {
    const text = 'expression: "a\\u0020b"';
    expect(locateExpressionError(text, { line: 1, column: 13 }, 'a b', { line: 1, column: 2 })).toEqual({
      line: 1,
      column: 13
    });
  });
});

describe('session triage and dashboard views', () => {
  it('builds one model from the session with paths relative to the dropped folder', async () => {
    const jobs = (
      await jobsOf([
        ['vendor-model/model.pt', fixture('models/torch_state_dict.pt')],
        ['vendor-model/evil.pt', fixture('models/torch_zip_os_system.pt')]
      ])
    ).map((j) => ({ ...j, path: j.path }));
    expect(commonFolder(jobs.map((j) => j.path))).toBe('vendor-model');
    expect(suggestedName(jobs.map((j) => j.path))).toBe('vendor-model');
    expect(scannedReports(jobs).map((r) => r.path)).toEqual(['model.pt', 'evil.pt']);
    const report = sessionTriage(jobs, { name: ' vendor ', version: '', source: 'hub/x' });
    expect(report.model).toMatchObject({ name: 'vendor', version: null, source: 'hub/x' });
    expect(report.summary.verdict).toBe('critical');
    expect(report.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256 ?? ''))).toBe(true);
    expect(
      sessionTriage([{ ...jobs[0], state: 'hashing' }], { name: 'x', version: '', source: '' }).files
    ).toEqual([]);
  });

  it('filters by status, severity and name, and sums findings per day', async () => {
    const good = await jobsOf([['model.pt', fixture('models/torch_state_dict.pt')]]);
    const bad = await jobsOf([['model.pt', fixture('models/torch_zip_os_system.pt')]]);
    const records = [
      record('acme/good', '1', good, '2026-03-01T10:00:00.000Z'),
      record('evil/model', '1', bad, '2026-03-01T12:00:00.000Z'),
      record('evil/model', '2', bad, '2026-03-03T12:00:00.000Z')
    ];
    expect(records.map((r) => r.status)).toEqual(['pass', 'fail', 'fail']);
    const names = (f: Partial<typeof NO_FILTER>) =>
      filterRecords(records, { ...NO_FILTER, ...f }).map((r) => `${r.name}@${r.version}`);
    expect(names({ status: 'pass' })).toEqual(['acme/good@1']);
    expect(names({ minSeverity: 'critical' })).toEqual(['evil/model@1', 'evil/model@2']);
    expect(names({ search: 'ACME' })).toEqual(['acme/good@1']);
    expect(names({ status: 'unevaluated' })).toEqual([]);
    const critical = records[1].reports[0].summary.findingCounts.critical;
    expect(severityByDay(records).map((p) => [p.label, p.counts.critical])).toEqual([
      ['2026-03-01', critical],
      ['2026-03-03', critical]
    ]);
  });

  it('the graph links the requirements file to the packages it declares', async () => {
    const files: [string, string][] = [['model.pt', fixture('models/torch_state_dict.pt')]];
    const jobs = await jobsOf(files);
    const requirements = new File(['torch==1.13.0\nnumpy>=1\n'], 'requirements.txt');
    const card = new File(['---\nlicense: apache-2.0\n---\n# Model\n'], 'README.md');
    const extras = await readModelExtras([
      { path: 'README.md', file: card },
      { path: 'requirements.txt', file: requirements }
    ]);
    expect(extras.license).toEqual({ id: 'apache-2.0', source: 'model-card' });
    expect(extras.dependencies?.collected.dependencies.map((d) => d.name)).toEqual(['numpy', 'torch']);
    const reqJob: FileJob = {
      ...jobs[0],
      id: 9,
      path: 'requirements.txt',
      report: { ...jobs[0].report!, path: 'requirements.txt', findings: [], formats: [], verdict: 'clean' }
    };
    const report = sessionTriage([...jobs, reqJob], { name: 'm', version: '1', source: '' }, extras);
    expect(report.license.id).toBe('apache-2.0');
    const graph = modelGraph(report);
    expect(graph.files[0].path).toBe('requirements.txt');
    expect(graph.dependencies).toEqual([{ label: 'torch 1.13.0', vulnerable: false, declaredBy: [0] }]);
  });

  it('refuses to read oversized text files', async () => {
    const huge = new File([new Uint8Array(4 * 1024 * 1024 + 1)], 'README.md');
    const extras = await readModelExtras([{ path: 'README.md', file: huge }]);
    expect(extras.license).toBeNull();
    expect(extras.problems[0]).toMatch(/not read/);
  });
});
