import type { FileReport, Finding } from '../core/findings';

export type FileOffset =
  | { kind: 'file'; offset: number }
  /** Inside a member whose bytes are not a window of the file (compressed): no file offset exists. */
  | { kind: 'packed'; member: string }
  | { kind: 'none' };

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** Where a finding's offset lies in the file itself, using the member placements the scan recorded. */
export function fileOffsetOf(finding: Finding, report: FileReport): FileOffset {
  const { path, offset } = finding.location;
  if (offset === undefined) return { kind: 'none' };
  if (path.length <= 1) return { kind: 'file', offset };
  const member = report.inspected?.parts.find((p) => p.kind === 'member' && samePath(p.path, path));
  if (member?.kind === 'member') return { kind: 'file', offset: member.fileOffset + offset };
  return { kind: 'packed', member: path[path.length - 1] };
}
