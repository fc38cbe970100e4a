import type { Result } from 'sarif';
import { formatLocationPath, type FileReport, type Severity } from '../findings';
import { pathUri, ruleName, sarifLog, SarifRules, type SarifLevel } from './sarif-log';

export const LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note'
};

/** GitHub code scanning reads `security-severity` (0–10) to rank security alerts. */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.0',
  low: '2.0',
  info: '0.0'
};

/** SARIF 2.1.0 log of a scan. Offsets inside containers are reported as logical locations. */
export function toSarif(files: readonly FileReport[]) {
  const rules = new SarifRules();
  const results: Result[] = [];
  files.forEach((file, fileIndex) => {
    for (const finding of file.findings) {
      const ruleIndex = rules.indexOf(finding.ruleId, () => ({
        id: finding.ruleId,
        name: ruleName(finding.ruleId),
        shortDescription: { text: finding.title },
        defaultConfiguration: { level: LEVEL[finding.severity] },
        properties: {
          'security-severity': SECURITY_SEVERITY[finding.severity],
          tags: ['security', finding.format]
        }
      }));
      const nested = finding.location.path.length > 1;
      const offset = finding.location.offset;
      results.push({
        ruleId: finding.ruleId,
        ruleIndex,
        level: LEVEL[finding.severity],
        message: { text: `${finding.title}. ${finding.message}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: pathUri(file.path), index: fileIndex },
              ...(!nested && offset !== undefined ? { region: { byteOffset: offset } } : {})
            },
            ...(nested
              ? {
                  logicalLocations: [
                    { fullyQualifiedName: formatLocationPath(finding.location.path), kind: 'member' }
                  ]
                }
              : {})
          }
        ],
        properties: {
          severity: finding.severity,
          containerPath: finding.location.path,
          ...(offset !== undefined ? { offset } : {}),
          evidence: finding.evidence
        }
      });
    }
  });
  return sarifLog({
    rules: rules.list,
    artifacts: files.map((f) => ({
      location: { uri: pathUri(f.path) },
      length: f.size,
      ...(f.sha256 ? { hashes: { 'sha-256': f.sha256 } } : {})
    })),
    results
  });
}
