import { beforeAll, expect, it } from 'vitest';
import { BUILTIN_POLICY } from '../../src/lib/core/policy/builtin';
import { evaluatePolicy } from '../../src/lib/core/policy/evaluate';
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

  it('gives one concrete action per violation, deny first', () => {
    const plan = planRemediation(report, evaluatePolicy(BUILTIN_POLICY, report));
    expect(plan.outcome).toBe('fail');
    expect(plan.actions.map((a) => [a.ruleId, a.kind])).toEqual([
      ['no-unsafe-pickle', 'convert-to-safetensors'],
      ['approved-signer', 'request-signature'],
      ['no-critical-findings', 'quarantine'],
      ['provenance-pinned', 'pin-commit'],
      ['no-vulnerable-loaders', 'upgrade-dependency'],
      ['license-allowed', 'review-license']
    ]);
    const upgrade = plan.actions.find((a) => a.kind === 'upgrade-dependency')!;
    expect(upgrade.title).toBe('Upgrade torch 2.5.1 → 2.6.0');
    expect(upgrade.command).toBe("pip install 'torch==2.6.0'");
    const convert = plan.actions.find((a) => a.kind === 'convert-to-safetensors')!;
    expect(convert.targets.map((t) => t.split(' ')[0]).sort()).toEqual(['model.pt', 'pytorch_model.bin']);
    expect(plan.actions.find((a) => a.kind === 'quarantine')!.targets[0]).toMatch(
      /^pytorch_model\.bin: .*os\.system/
    );
  });

  it('writes Markdown, JSON and issue text', () => {
    const plan = planRemediation(report, evaluatePolicy(BUILTIN_POLICY, report, '2026-04-01T00:00:00.000Z'));
    const md = remediationMarkdown(plan, report);
    expect(md).toContain('# Remediation report: vendor/bad-model@2');
    expect(md).toContain('**FAIL**');
    expect(md).toContain('### 5. Upgrade torch 2.5.1 → 2.6.0');
    expect(md).toContain("```sh\npip install 'torch==2.6.0'\n```");
    expect(JSON.parse(remediationJson(plan))).toEqual(plan);
    const issue = remediationIssue(plan);
    expect(issue.title).toBe('vendor/bad-model@2: 6 policy violations (safeload/builtin)');
    expect(issue.body.split('\n').filter((l) => l.startsWith('- [ ]'))).toHaveLength(6);
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
    const evaluation = evaluatePolicy(BUILTIN_POLICY, report);
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
