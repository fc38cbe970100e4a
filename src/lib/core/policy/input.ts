import type { TriageReport } from '../triage/types';

/**
 * The document policy expressions read, built from a triage report:
 *   model        identity, licence, verdict, finding counts, files, signature and provenance
 *   dependencies the audited Python packages with their vulnerabilities
 *   audit        whether and how dependencies were audited, and what was skipped
 *   params       the policy set's parameters
 * Every field is present (null when unknown), so expressions never hit a missing key.
 */
export function policyInput(report: TriageReport, params: Record<string, unknown>): Record<string, unknown> {
  const { dependencies: deps } = report;
  const document = {
    model: {
      id: report.model.name,
      name: report.model.name,
      version: report.model.version,
      source: report.model.source,
      vendor: report.model.vendor,
      revision: report.provenance.commit,
      license: report.license.id,
      licenseSource: report.license.source,
      verdict: report.summary.verdict,
      complete: report.summary.complete,
      findingCounts: report.summary.findingCounts,
      files: report.files,
      signature: report.signature,
      provenance: report.provenance
    },
    dependencies: deps.packages,
    audit: {
      audited: deps.audited,
      source: deps.source,
      inputs: deps.inputs,
      skipped: deps.skipped,
      notAuditedReason: deps.notAuditedReason
    },
    params
  };
  // A JSON round trip drops undefined and prototypes: the evaluator sees plain data only.
  return JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
}
