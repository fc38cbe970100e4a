import type { PolicyEvaluation } from '../core/policy/types';
import { terminalText } from '../core/report/escape';
import type { RemediationPlan } from '../core/remediation/types';
import { manifestSignerText, wrongSigner } from '../core/triage/describe';
import type { TriageReport } from '../core/triage/types';

/** Cells are data (names, identities, messages): escaped before they are measured and padded. */
function table(raw: string[][]): string {
  const rows = raw.map((r) => r.map(terminalText));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

/** A valid signature by another identity is "WRONG SIGNER", never a signature that did not verify. */
function signatureResult(sig: TriageReport['signature']): string {
  if (sig.verified) return 'VERIFIED';
  if (!sig.present) return 'NONE';
  if (!sig.checked) return 'UNCHECKED';
  return wrongSigner(sig) ? 'WRONG SIGNER' : 'FAILED';
}

function checks(report: TriageReport): string[][] {
  const s = report.summary;
  const sig = report.signature;
  const prov = report.provenance;
  const deps = report.dependencies;
  const vulnerable = deps.packages.filter((d) => d.vulns.length > 0);
  const counts = Object.entries(s.findingCounts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    ['CHECK', 'RESULT', 'DETAIL'],
    [
      'scan',
      s.verdict.toUpperCase(),
      `${s.files} file(s)${counts ? `; ${counts}` : ''}${s.complete ? '' : '; NOT fully analysed'}`
    ],
    [
      'signature',
      signatureResult(sig),
      sig.verified
        ? sig.identity || sig.identities.length
          ? `${sig.identity ?? sig.identities.join(', ')} (${sig.issuer ?? 'no issuer'})`
          : `key ${sig.keyFingerprint ?? '(unknown)'}`
        : (sig.error ?? '')
    ],
    [
      'provenance',
      !prov.present ? 'NONE' : prov.verified ? 'VERIFIED' : 'FAILED',
      prov.present
        ? `${prov.repoId ?? 'manifest'} @ ${prov.commit ?? 'no commit'}; ${prov.counts.verified} verified${prov.problems.length ? `, ${prov.problems.length} not` : ''}; ${manifestSignerText(prov)}`
        : 'no --manifest given'
    ],
    [
      'dependencies',
      deps.inputs.length === 0
        ? 'NONE'
        : !deps.audited
          ? 'NOT AUDITED'
          : vulnerable.length
            ? 'VULNERABLE'
            : 'OK',
      deps.audited
        ? `${deps.packages.length} audited (${deps.source}); ${vulnerable.map((d) => `${d.name} ${d.version}`).join(', ') || 'no known vulnerabilities'}`
        : (deps.notAuditedReason ?? '')
    ],
    ['licence', report.license.id ?? 'UNKNOWN', report.license.source ?? 'not declared']
  ];
}

function rules(evaluation: PolicyEvaluation): string[][] {
  return [
    ['RULE', 'SEVERITY', 'OUTCOME', 'MESSAGE'],
    ...evaluation.results.map((r) => [
      r.id,
      r.severity,
      r.outcome === 'not-configured' ? 'NOT CONFIGURED' : r.outcome.toUpperCase(),
      r.outcome === 'pass'
        ? ''
        : r.outcome === 'not-configured'
          ? r.message
          : r.outcome === 'error'
            ? `${r.error?.line}:${r.error?.column} ${r.error?.message}`
            : r.message
    ])
  ];
}

/** The gate's human summary: what was checked, each rule's outcome, the verdict and what to do. */
export function gateSummary(
  report: TriageReport,
  evaluation: PolicyEvaluation,
  plan: RemediationPlan
): string {
  const name = `${report.model.name}${report.model.version ? `@${report.model.version}` : ''}`;
  const lines = [
    `safeload gate: ${terminalText(name)}`,
    '',
    table(checks(report)),
    '',
    `Policy ${terminalText(evaluation.policy.name)}:`,
    table(rules(evaluation)),
    ''
  ];
  if (plan.actions.length > 0) {
    lines.push('To fix:');
    for (const a of plan.actions) lines.push(`  - [${a.severity}] ${terminalText(a.title)}`);
    lines.push('');
  }
  lines.push(`Gate: ${evaluation.outcome.toUpperCase()}`);
  return lines.join('\n');
}
