import { beforeAll, expect, it } from 'vitest';
import { STRICT_POLICY } from '../../src/lib/core/policy/builtin';
import { evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import { collectDependencies } from '../../src/lib/core/deps/collect';
import { addPolicyResults } from '../../src/lib/core/policy/sarif';
import {
  planRemediation,
  remediationIssue,
  remediationJson,
  remediationMarkdown
} from '../../src/lib/core/remediation';
import { toSarif } from '../../src/lib/core/report/sarif';
import { buildTriageReport } from '../../src/lib/core/triage/build';
import type { TriageReport } from '../../src/lib/core/triage/types';
import type { FileReport } from '../../src/lib/core/findings';
import { describeShared } from '../shared-fixtures';
import { auditRequirements, fixture, scanFiles } from './policy-fixtures';

describeShared('remediation', () => {
  let files: FileReport[];
  let report: TriageReport;

  beforeAll(async () => {
    files = await scanFiles([
      ['pytorch_model.bin', fixture('models/torch_zip_os_system.pt')],
      ['model.pt', fixture('models/torch_full_module.pt')]
    ]);
    report = buildTriageReport({
      model: { name: 'vendor/bad-model', version: '2' },
      files,
      dependencies: await auditRequirements('torch==2.5.1\n'),
      license: { id: 'cc-by-nc-4.0', source: 'model-card' }
    });
  });

  it('gives one concrete action per violation, deny first and quarantine before anything else', () => {
    const plan = planRemediation(report, evaluatePolicy(STRICT_POLICY, report));
    expect(plan.outcome).toBe('fail');
    expect(plan.actions.map((a) => [a.ruleId, a.kind])).toEqual([
      ['no-critical-findings', 'quarantine'],
      ['no-unsafe-pickle', 'convert-to-safetensors'],
      ['no-vulnerable-loaders', 'upgrade-dependency'],
      ['provenance-pinned', 'pin-commit'],
      ['approved-signer', 'request-signature'],
      ['license-allowed', 'review-license']
    ]);
    const upgrade = plan.actions.find((a) => a.kind === 'upgrade-dependency')!;
    expect(upgrade.title).toBe('Upgrade torch 2.5.1 → 2.6.0');
    expect(upgrade.command).toBe("pip install 'torch==2.6.0'");
    // The critical file is quarantined, never offered for conversion (converting loads it).
    const convert = plan.actions.find((a) => a.kind === 'convert-to-safetensors')!;
    expect(convert.targets.map((t) => t.split(' ')[0])).toEqual(['model.pt']);
    const sha = files.find((f) => f.path === 'pytorch_model.bin')!.sha256;
    expect(plan.actions[0].targets).toEqual([
      expect.stringMatching(new RegExp(`^pytorch_model\\.bin \\(sha256 ${sha}\\): .*os\\.system`))
    ]);
    expect(plan.files.map((f) => [f.path, f.verdict, f.sha256])).toEqual([
      ['pytorch_model.bin', 'critical', sha],
      ['model.pt', 'medium', files.find((f) => f.path === 'model.pt')!.sha256]
    ]);
  });

  it('a model whose only unsafe pickle is critical gets no conversion command', () => {
    const onlyCritical = buildTriageReport({ model: { name: 'm' }, files: files.slice(0, 1) });
    const plan = planRemediation(onlyCritical, evaluatePolicy(STRICT_POLICY, onlyCritical));
    expect(plan.actions[0].kind).toBe('quarantine');
    const convert = plan.actions.find((a) => a.kind === 'convert-to-safetensors')!;
    expect(convert.command).toBeUndefined();
    expect(convert.steps[0]).toMatch(/Do not convert the quarantined files/);
  });

  it('writes Markdown, JSON and issue text whose counts agree, with every file SHA-256', () => {
    const evaluation = evaluatePolicy(STRICT_POLICY, report, '2026-04-01T00:00:00.000Z');
    const plan = planRemediation(report, evaluation);
    const md = remediationMarkdown(plan, report);
    expect(md).toContain('# Remediation report: vendor/bad-model@2');
    expect(md).toContain('**FAIL**');
    expect(md).toContain('### 1. Do not load the model; quarantine it and report it');
    expect(md).toContain('### 3. Upgrade torch 2.5.1 → 2.6.0');
    expect(md).toContain("```sh\npip install 'torch==2.6.0'\n```");
    for (const f of files) expect(md).toContain(`\`${f.sha256}\``);
    expect(JSON.parse(remediationJson(plan))).toEqual(plan);
    const issue = remediationIssue(plan);
    // One count of violated deny rules, the evaluation's, in the report and in the issue.
    const denied = evaluation.results.filter(
      (r) => r.outcome === 'violation' && r.severity === 'deny'
    ).length;
    expect(plan.counts.violated.deny).toBe(denied);
    expect(issue.title).toBe(`vendor/bad-model@2: ${denied} policy violations (safeload/strict)`);
    const line = `${denied} deny rules violated`;
    expect(md).toContain(line);
    expect(issue.body).toContain(line);
    expect(issue.body.split('\n').filter((l) => l.startsWith('- [ ]'))).toHaveLength(plan.actions.length);
    expect(md.match(/^### \d+\./gm)).toHaveLength(plan.actions.length);
    expect(issue.body).toContain(`sha256 \`${files[0].sha256}\``);
  });

  it('"not audited" is never printed as "0 vulnerable"', async () => {
    const collected = await collectDependencies(['requirements.txt'], async () => 'torch==2.5.1\n');
    const unaudited = buildTriageReport({
      model: { name: 'm' },
      files,
      dependencies: { collected, notAuditedReason: 'offline' }
    });
    const md = remediationMarkdown(
      planRemediation(unaudited, evaluatePolicy(STRICT_POLICY, unaudited)),
      unaudited
    );
    expect(md).toMatch(/\| Dependencies \| 1 pinned, not audited \(offline\) \|/);
    expect(md).not.toMatch(/0 vulnerable/);
    expect(
      remediationMarkdown(planRemediation(report, evaluatePolicy(STRICT_POLICY, report)), report)
    ).toMatch(/\| Dependencies \| 1 pinned, 1 vulnerable \(audited offline\) \|/);
  });

  it('uses the rule remediation for custom rules and asks to fix broken ones', () => {
    const custom = {
      name: 'custom',
      params: {},
      rules: [
        {
          id: 'onnx-only',
          severity: 'deny' as const,
          expression: 'model.files.all(f, f.format == "onnx")',
          message: 'Only ONNX',
          remediation: 'Export to ONNX.'
        },
        { id: 'broken', severity: 'warn' as const, expression: 'model.nope', message: 'x' }
      ]
    };
    const plan = planRemediation(report, evaluatePolicy(custom, report));
    expect(plan.outcome).toBe('error');
    expect(plan.actions.map((a) => [a.kind, a.steps[0]])).toEqual([
      ['follow-policy', 'Export to ONNX.'],
      ['fix-policy', 'Correct the expression; the policy editor shows the position of the problem.']
    ]);
    expect(plan.actions[1].targets[0]).toBe('1:7 No such key: nope');
  });

  it('adds policy violations to the scan SARIF as policy/<id> results', () => {
    const evaluation = evaluatePolicy(STRICT_POLICY, report);
    const log = addPolicyResults(toSarif(files), evaluation, {
      uri: 'policy.yaml',
      lines: { 'no-unsafe-pickle': { line: 3, column: 5 } }
    });
    const policyResults = log.runs[0].results.filter((r) =>
      (r as { ruleId: string }).ruleId.startsWith('policy/')
    );
    expect(policyResults).toHaveLength(evaluation.counts.violation);
    const pickle = policyResults.find(
      (r) => (r as { ruleId: string }).ruleId === 'policy/no-unsafe-pickle'
    ) as {
      level: string;
      locations: { physicalLocation: { region: unknown } }[];
    };
    expect(pickle.level).toBe('error');
    expect(pickle.locations[0].physicalLocation.region).toEqual({ startLine: 3, startColumn: 5 });
  });
});
