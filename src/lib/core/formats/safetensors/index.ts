import { REJECTED, type FormatScanner, type Probe } from '../types';
import { parseSafetensors } from './header';
import { inspectSafetensors } from './inspected';

function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 10) return false;
  // Header length below 4 GiB, then a JSON object.
  if (head[4] !== 0 || head[5] !== 0 || head[6] !== 0 || head[7] !== 0) return false;
  if (head[8] !== 0x7b) return false;
  const next = head[9];
  return next === 0x22 || next === 0x7d || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09;
}

function startsWithAscii(head: Uint8Array, prefix: string): boolean {
  return prefix.split('').every((c, i) => head[i] === c.charCodeAt(0));
}

export const safetensorsFormat: FormatScanner<'header' | 'name'> = {
  id: 'safetensors',
  label: 'safetensors',
  sniff(probe: Probe) {
    if (looksLikeSafetensors(probe.head)) return 'header';
    // By name too, so a damaged file is reported — but not when it is plainly a Git LFS pointer.
    return /\.safetensors$/i.test(probe.name) && !startsWithAscii(probe.head, 'version https://') && 'name';
  },
  async scan(src, ctx, _probe, found) {
    const { header, problems } = await parseSafetensors(src);
    for (const problem of problems) ctx.report(problem);
    // Only the name said safetensors: the problems stand only if the bytes are nothing else either.
    if (!header) return found === 'name' ? REJECTED : undefined;
    inspectSafetensors(header, ctx);
    ctx.fact('safetensors.tensors', header.tensors.length);
    ctx.fact('safetensors.parameters', Number(header.parameterCount));
    ctx.fact('safetensors.headerBytes', header.headerLength);
    const format = header.metadata.get('format');
    if (format !== undefined) ctx.fact('safetensors.metadata.format', format.slice(0, 40));
  }
};
