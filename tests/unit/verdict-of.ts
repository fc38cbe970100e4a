// The verdict a report's findings imply, worked out independently of the scanner (for invariant checks).
import { maxVerdict, type Finding, type Verdict } from '../../src/lib/core/findings';

export function verdictOf(findings: readonly Finding[]): Verdict {
  return findings.reduce<Verdict>((v, f) => maxVerdict(v, f.severity), 'clean');
}
