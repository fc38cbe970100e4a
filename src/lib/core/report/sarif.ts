import { formatLocationPath, type FileReport, type Finding, type Severity } from '../findings';
import { INFORMATION_URI, SAFELOAD_VERSION } from '../version';

export const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
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

function toUri(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function rulesOf(findings: readonly Finding[]) {
  const rules = new Map<string, Finding>();
  for (const f of findings) if (!rules.has(f.ruleId)) rules.set(f.ruleId, f);
  return [...rules.values()].map((f) => ({
    id: f.ruleId,
    name: f.ruleId.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()),
    shortDescription: { text: f.title },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[f.severity], tags: ['security', f.format] }
  }));
}

/** SARIF 2.1.0 log of a scan. Offsets inside containers are reported as logical locations. */
export function toSarif(files: readonly FileReport[]) {
  const all = files.flatMap((file, fileIndex) =>
    file.findings.map((finding) => ({ file, fileIndex, finding }))
  );
  const rules = rulesOf(all.map((x) => x.finding));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'safeload', version: SAFELOAD_VERSION, informationUri: INFORMATION_URI, rules }
        },
        artifacts: files.map((f) => ({
          location: { uri: toUri(f.path) },
          length: f.size,
          ...(f.sha256 ? { hashes: { 'sha-256': f.sha256 } } : {})
        })),
        results: all.map(({ file, fileIndex, finding }) => {
          const nested = finding.location.path.length > 1;
          const offset = finding.location.offset;
          return {
            ruleId: finding.ruleId,
            ruleIndex: ruleIndex.get(finding.ruleId)!,
            level: LEVEL[finding.severity],
            message: { text: `${finding.title}. ${finding.message}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: toUri(file.path), index: fileIndex },
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
          };
        })
      }
    ]
  };
}
