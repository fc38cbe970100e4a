import { markdownCode, markdownFence, markdownText as mdText, terminalText } from '../report/escape';
import { dependencyText, provenanceText, signatureText } from '../triage/describe';
import type { TriageReport } from '../triage/types';
import type { PlanCounts, RemediationAction, RemediationPlan } from './types';

const OUTCOME_LABEL = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' } as const;

/** Text from files and advisories goes into Markdown through the one escaping module. */
export { mdText };

function action(a: RemediationAction, i: number): string {
  const lines = [
    `### ${i + 1}. ${mdText(a.title)}`,
    '',
    `Rule ${markdownCode(a.ruleId)} (${a.severity}) — action: ${a.kind}`,
    ''
  ];
  if (a.targets.length > 0) lines.push('Affected:', '', ...a.targets.map((t) => `- ${mdText(t)}`), '');
  lines.push('Steps:', '', ...a.steps.map((s, n) => `${n + 1}. ${mdText(s)}`), '');
  if (a.command) lines.push(markdownFence(a.command, 'sh'), '');
  return lines.join('\n');
}

/** One sentence for the rule counts, the same in the report and in the issue. */
export function countsLine(c: PlanCounts): string {
  const parts = [
    `${c.violated.deny} deny rule${c.violated.deny === 1 ? '' : 's'} violated`,
    ...(c.violated.warn ? [`${c.violated.warn} warning${c.violated.warn === 1 ? '' : 's'}`] : []),
    ...(c.violated.info ? [`${c.violated.info} note${c.violated.info === 1 ? '' : 's'}`] : []),
    ...(c.errors ? [`${c.errors} rule${c.errors === 1 ? '' : 's'} could not be evaluated`] : []),
    ...(c.notConfigured ? [`${c.notConfigured} not configured`] : [])
  ];
  return `${parts.join(', ')}; ${c.actions} action${c.actions === 1 ? '' : 's'}`;
}

const MAX_FILE_ROWS = 1000;

function filesTable(plan: RemediationPlan): string[] {
  const rows = plan.files
    .slice(0, MAX_FILE_ROWS)
    .map((f) => `| ${mdText(f.path)} | ${f.verdict} | ${markdownCode(f.sha256 ?? 'not computed')} |`);
  const more = plan.files.length - rows.length;
  return [
    '| File | Verdict | SHA-256 |',
    '|---|---|---|',
    ...rows,
    ...(more > 0 ? ['', `… and ${more} more files (all of them are in the JSON report).`] : [])
  ];
}

function facts(report: TriageReport): string[] {
  const s = report.summary;
  const counts = Object.entries(s.findingCounts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    `| | |`,
    `|---|---|`,
    `| Files | ${s.files} (${s.bytes} bytes), verdict ${s.verdict}${s.complete ? '' : ', not fully analysed'} |`,
    `| Findings | ${counts || 'none'} |`,
    `| Signature | ${mdText(signatureText(report.signature))} |`,
    `| Provenance | ${mdText(provenanceText(report.provenance))} |`,
    `| Dependencies | ${mdText(dependencyText(report.dependencies))} |`,
    `| Licence | ${mdText(report.license.id ?? 'unknown')} |`
  ];
}

/** The remediation report for the model owner, as Markdown (prints well, pastes into issues and wikis). */
export function remediationMarkdown(plan: RemediationPlan, report?: TriageReport): string {
  const name = `${plan.model.name}${plan.model.version ? `@${plan.model.version}` : ''}`;
  const lines = [
    `# Remediation report: ${mdText(name)}`,
    '',
    `Policy **${mdText(plan.policy)}**: **${OUTCOME_LABEL[plan.outcome]}** (evaluated ${mdText(plan.evaluatedAt)}): ${countsLine(plan.counts)}.`,
    ''
  ];
  if (plan.model.source) lines.push(`Source: ${mdText(plan.model.source)}`, '');
  if (report) lines.push('## Triage', '', ...facts(report), '');
  lines.push('## Files', '', ...filesTable(plan), '');
  lines.push('## Actions', '');
  if (plan.actions.length === 0) lines.push('Nothing to do: the model complies with the policy.', '');
  plan.actions.forEach((a, i) => lines.push(action(a, i)));
  return lines.join('\n');
}

const MAX_ISSUE_FILES = 50;

/**
 * A compact issue for the model owner's tracker ("copy as issue"). Its counts are the report's, and it
 * names every flagged file with its SHA-256 so the issue alone identifies the bytes in question.
 */
export function remediationIssue(plan: RemediationPlan): { title: string; body: string } {
  const name = `${plan.model.name}${plan.model.version ? `@${plan.model.version}` : ''}`;
  const denied = plan.counts.violated.deny;
  const title = `${terminalText(name)}: ${denied > 0 ? `${denied} policy violation${denied > 1 ? 's' : ''}` : 'policy findings'} (${terminalText(plan.policy)})`;
  const flagged = plan.files.filter((f) => f.verdict !== 'clean' && f.verdict !== 'info');
  const body = [
    `The model ${mdText(name)} does not comply with the policy ${mdText(plan.policy)} (${OUTCOME_LABEL[plan.outcome]}): ${countsLine(plan.counts)}.`,
    '',
    ...plan.actions.map(
      (a) =>
        `- [ ] **${mdText(a.title)}** (${markdownCode(a.ruleId)}, ${a.severity})${a.targets.length ? `: ${a.targets.slice(0, 5).map(mdText).join('; ')}` : ''}`
    ),
    '',
    ...(flagged.length
      ? [
          'Flagged files:',
          '',
          ...flagged
            .slice(0, MAX_ISSUE_FILES)
            .map(
              (f) => `- ${mdText(f.path)} (${f.verdict}): sha256 ${markdownCode(f.sha256 ?? 'not computed')}`
            ),
          ...(flagged.length > MAX_ISSUE_FILES ? [`- … and ${flagged.length - MAX_ISSUE_FILES} more`] : []),
          ''
        ]
      : []),
    `_Generated by Safeload on ${mdText(plan.evaluatedAt)}; the remediation report lists all ${plan.files.length} files with their SHA-256._`
  ].join('\n');
  return { title, body };
}

export function remediationJson(plan: RemediationPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
