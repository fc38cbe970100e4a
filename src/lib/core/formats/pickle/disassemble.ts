import type { ByteSource } from '../../bytes/byte-source';
import type { DisassemblyLine } from '../../findings';
import { WindowCursor } from './cursor';
import { OPCODES } from './opcodes';
import { latin1, utf8Lax } from './text';

const MAX_OPCODES = 50_000_000;
const MAX_ARG = 120;

function shortArg(text: string): string {
  return JSON.stringify(text.length > MAX_ARG ? `${text.slice(0, MAX_ARG - 1)}…` : text);
}

/**
 * A short window of opcodes around `around` (for the UI's disassembly view). Opcodes cannot be decoded
 * backwards, so this walks from the start of `src`, skipping large operands by offset, and keeps a ring of
 * the last lines. It decodes operands but has no stack: it shows bytes, it does not judge them.
 */
export async function disassemble(src: ByteSource, around: number, lines = 12): Promise<DisassemblyLine[]> {
  const before = Math.max(1, Math.ceil(lines / 2));
  const out: DisassemblyLine[] = [];
  const cur = new WindowCursor(src, 0);
  let after = -1;
  for (let n = 0; n < MAX_OPCODES && cur.pos < src.size; n++) {
    if (cur.end - cur.pos < 64) await cur.fill(64);
    const offset = cur.pos;
    const op = OPCODES[cur.buf[offset - cur.base]];
    const line: DisassemblyLine = {
      offset,
      opcode: op?.name ?? `0x${cur.buf[offset - cur.base].toString(16)}`
    };
    out.push(line);
    if (out.length > lines) out.shift();
    if (after < 0 && offset >= around) after = lines - before;
    else if (after > 0) after--;
    if (!op) {
      line.arg = '(not an opcode: the loader stops here)';
      break;
    }
    cur.pos++;
    if (!(await readArg(cur, op.arg, line))) {
      line.arg = `${line.arg ?? ''} (truncated)`.trim();
      break;
    }
    if (after === 0) break;
  }
  return out;
}

async function readArg(cur: WindowCursor, kind: string, line: DisassemblyLine): Promise<boolean> {
  const view = () => cur.buf.subarray(cur.pos - cur.base);
  const fixed: Record<string, number> = { u1: 1, u2: 2, u4: 4, i4: 4, f8be: 8, u8: 8 };
  if (kind === 'none') return true;
  if (kind in fixed) {
    const n = fixed[kind];
    if ((await cur.fill(n)) < n) return false;
    const b = view();
    const dv = new DataView(b.buffer, b.byteOffset, n);
    line.arg =
      kind === 'f8be'
        ? String(dv.getFloat64(0, false))
        : kind === 'u8'
          ? String(dv.getBigUint64(0, true))
          : kind === 'i4'
            ? String(dv.getInt32(0, true))
            : String(n === 1 ? b[0] : n === 2 ? dv.getUint16(0, true) : dv.getUint32(0, true));
    cur.pos += n;
    return true;
  }
  if (kind === 'line' || kind === 'line2') {
    const parts: string[] = [];
    for (let i = 0; i < (kind === 'line2' ? 2 : 1); i++) {
      await cur.fill(4096);
      const nl = cur.findNewline();
      if (nl < 0) return false;
      parts.push(latin1(cur.buf.subarray(cur.pos - cur.base, Math.min(nl, cur.pos - cur.base + MAX_ARG))));
      cur.pos = cur.base + nl + 1;
    }
    line.arg = shortArg(parts.join(' '));
    return true;
  }
  const width = kind === 'len1' ? 1 : kind === 'len8' ? 8 : 4;
  if ((await cur.fill(width)) < width) return false;
  const b = view();
  const dv = new DataView(b.buffer, b.byteOffset, width);
  const n =
    width === 1
      ? b[0]
      : width === 8
        ? Number(dv.getBigUint64(0, true))
        : kind === 'slen4'
          ? dv.getInt32(0, true)
          : dv.getUint32(0, true);
  cur.pos += width;
  if (n < 0 || n > cur.size - cur.pos) return false;
  if (n <= 256) {
    await cur.fill(n);
    line.arg = shortArg(utf8Lax(view().subarray(0, n)));
  } else line.arg = `<${n} bytes>`;
  cur.pos += n;
  return true;
}
