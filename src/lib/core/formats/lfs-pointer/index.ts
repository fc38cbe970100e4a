import { shorten } from '../../findings';
import type { FormatScanner, Probe } from '../types';

/** Git LFS pointer files are below 1024 bytes by specification. */
const MAX_POINTER_BYTES = 1024;
const VERSION_LINE =
  /^version https:\/\/(?:git-lfs\.github\.com\/spec\/v1|hawser\.github\.com\/spec\/v1)\r?\n/;

export interface LfsPointer {
  oid?: string;
  size?: number;
  /** Lines that do not fit the spec (shown, not trusted). */
  oddLines: string[];
}

export function parseLfsPointer(text: string): LfsPointer {
  const pointer: LfsPointer = { oddLines: [] };
  for (const line of text.split('\n').slice(1)) {
    const clean = line.replace(/\r$/, '');
    if (clean === '') continue;
    const oid = /^oid sha256:([0-9a-f]{64})$/.exec(clean);
    const size = /^size (\d{1,16})$/.exec(clean);
    if (oid) pointer.oid = oid[1];
    else if (size) pointer.size = Number(size[1]);
    else if (!/^ext-\d-\w+ /.test(clean)) pointer.oddLines.push(shorten(clean, 100));
  }
  return pointer;
}

export const lfsPointerFormat: FormatScanner = {
  id: 'lfs-pointer',
  label: 'Git LFS pointer',
  sniff(probe: Probe) {
    if (probe.size >= MAX_POINTER_BYTES) return false;
    return VERSION_LINE.test(new TextDecoder('latin1').decode(probe.head.subarray(0, 64)));
  },
  async scan(src, ctx) {
    const text = new TextDecoder('utf-8').decode(await src.read(0, MAX_POINTER_BYTES));
    const pointer = parseLfsPointer(text);
    const details: Record<string, string | number> = {};
    if (pointer.oid) details.oid = `sha256:${pointer.oid}`;
    if (pointer.size !== undefined) details.size = pointer.size;
    const malformed = !pointer.oid || pointer.size === undefined || pointer.oddLines.length > 0;
    ctx.report({
      ruleId: 'lfs-pointer.not-downloaded',
      severity: 'medium',
      title: 'This is a Git LFS pointer, not the model',
      message: `The real file was not downloaded: this small text file only names it${pointer.size !== undefined ? ` (${pointer.size} bytes)` : ''}. Nothing about the model itself was checked — fetch it with \`git lfs pull\` (or download it from the hub) and scan that file.${malformed ? ' The pointer also does not follow the LFS spec (missing oid/size or unknown lines).' : ''}`,
      offset: 0,
      evidence: { excerpt: shorten(text, 300), details }
    });
    if (pointer.oid) ctx.fact('lfs-pointer.oid', `sha256:${pointer.oid}`);
    if (pointer.size !== undefined) ctx.fact('lfs-pointer.size', pointer.size);
  }
};
