import type { ScanLimits } from '../limits';
import { parseSafetensors } from '../formats/safetensors/header';
import { scanSource } from '../scan';
import type { OutputTarget } from './convert';
import type { ShardLayout } from './header';
import { summarizeScan, type WrittenOutput } from './report';

/**
 * Reads a written file back: the normal scanner must call it clean and complete, and its header must list
 * exactly the planned tensors at the planned offsets. Returns what is wrong, or undefined.
 */
export async function verifyOutput(
  target: OutputTarget,
  out: WrittenOutput,
  layout: ShardLayout,
  limits: ScanLimits,
  signal?: AbortSignal
): Promise<string | undefined> {
  const src = await target.reopen(out.path);
  if (!src) return 'it could not be read back to verify';
  if (src.size !== layout.size) return `it holds ${src.size} bytes instead of ${layout.size}`;
  const scan = await scanSource(src, { limits, signal });
  out.rescan = summarizeScan(scan);
  const { header } = await parseSafetensors(src);
  out.headerMatches = header !== undefined && headerMatches(header.tensors, layout);
  if (!out.headerMatches) return 'its header does not list the planned tensors';
  if (scan.verdict !== 'clean' || !scan.complete) return `the scanner rates it ${scan.verdict}`;
  return undefined;
}

function headerMatches(
  read: { name: string; dtype: string; shape: number[]; start: number; end: number }[],
  layout: ShardLayout
): boolean {
  if (read.length !== layout.tensors.length) return false;
  const byName = new Map(read.map((t) => [t.name, t]));
  let offset = 0;
  for (const t of layout.tensors) {
    const r = byName.get(t.name);
    if (!r || r.dtype !== t.dtype || r.start !== offset || r.end !== offset + t.byteLength) return false;
    if (r.shape.length !== t.shape.length || r.shape.some((d, i) => d !== t.shape[i])) return false;
    offset += t.byteLength;
  }
  return true;
}
