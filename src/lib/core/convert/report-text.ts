import { terminalText } from '../report/escape';
import type { ConversionReport } from './report';

const MAX_LISTED = 50;

/** File-provided text on one terminal line (the shared escaping), cut to `max` characters. */
export function plainText(text: string, max = 200): string {
  const escaped = terminalText(text);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

function list<T>(items: readonly T[], line: (item: T) => string, more = 0): string[] {
  const out = items.slice(0, MAX_LISTED).map((item) => `    - ${line(item)}`);
  const hidden = items.length - Math.min(items.length, MAX_LISTED) + more;
  if (hidden > 0) out.push(`    … and ${hidden} more (see --json)`);
  return out;
}

/** The conversion report as terminal text. */
export function conversionText(report: ConversionReport): string {
  const lines: string[] = [];
  for (const input of report.inputs) {
    const scan = input.scan
      ? `scan: ${input.scan.verdict.toUpperCase()}${input.scan.complete ? '' : ' (not fully analysed)'}`
      : '';
    lines.push(
      `input   ${plainText(input.path)}  ${plainText(input.format ?? '')}  ${input.tensors} tensors  ${scan}`
    );
    for (const note of input.notes) lines.push(`        note: ${plainText(note, 400)}`);
    if (input.error) lines.push(`        not converted: ${plainText(input.error, 400)}`);
  }
  for (const out of report.outputs) {
    const rescan = out.rescan ? `re-scan: ${out.rescan.verdict}` : 're-scan: not done';
    const header =
      out.headerMatches === undefined ? '' : out.headerMatches ? ', header matches' : ', HEADER DIFFERS';
    lines.push(
      `output  ${plainText(out.path)}  ${out.tensors} tensors  ${out.size} bytes  ${rescan}${header}`
    );
    lines.push(`        sha256 ${out.sha256}`);
  }
  if (report.index) lines.push(`index   ${plainText(report.index.path)}  sha256 ${report.index.sha256}`);
  if (report.aliases.length) {
    lines.push('  tied weights, written once (the other name is recorded in the metadata):');
    lines.push(...list(report.aliases, (a) => `${plainText(a.name)} = ${plainText(a.keptAs)}`));
  }
  if (report.sharedCopies.length) {
    lines.push('  views of a shared storage, each written as its own copy:');
    lines.push(
      ...list(report.sharedCopies, (s) => `${plainText(s.name)} overlaps ${plainText(s.sharesWith)}`)
    );
  }
  if (report.madeContiguous.length) {
    lines.push('  non-contiguous tensors, made contiguous:');
    lines.push(...list(report.madeContiguous, (n) => plainText(n)));
  }
  if (report.refused.length) {
    lines.push('  tensors that cannot be converted faithfully:');
    lines.push(...list(report.refused, (r) => `${plainText(r.name)}: ${plainText(r.reason, 300)}`));
  }
  if (report.dropped.length || report.droppedNotListed) {
    lines.push('  left out (not tensors; nothing was executed):');
    lines.push(
      ...list(
        report.dropped,
        (d) =>
          `${plainText(d.path || '(the whole file)')}: ${plainText(d.what)}${d.imports.length ? ` [imports ${d.imports.map((i) => plainText(i, 100)).join(', ')}]` : ''}${d.tensors ? ` (holds ${d.tensors} tensors, not converted)` : ''}`,
        report.droppedNotListed
      )
    );
  }
  if (report.notExecuted.length) {
    lines.push('  calls in the pickle that were NOT executed:');
    lines.push(
      ...list(
        report.notExecuted,
        (n) => `${plainText(n.callee)} ×${n.count} (${n.opcode} at byte ${n.offset})`
      )
    );
  }
  lines.push(
    report.ok
      ? `converted: ${report.tensors} tensors, ${report.parameters} parameters, ${report.bytes} bytes in ${report.durationMs} ms`
      : `NOT CONVERTED: ${plainText(report.error ?? 'unknown reason', 600)}`
  );
  return lines.join('\n');
}
