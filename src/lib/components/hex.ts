/** Bytes shown at once in the hex view: a bounded window read from the File on demand. */
export const HEX_WINDOW = 256;
const WIDTH = 16;

export interface HexRow {
  offset: number;
  cells: { offset: number; hex: string; text: string }[];
}

/** Where a window around `offset` starts: a row boundary, a few rows before it, never before 0. */
export function windowStart(offset: number, size: number): number {
  const start = Math.floor(Math.max(0, offset - 6 * WIDTH) / WIDTH) * WIDTH;
  const last = Math.max(0, Math.ceil(size / WIDTH) * WIDTH - HEX_WINDOW);
  return Math.min(start, last);
}

/** Rows of 16 bytes: hex and printable ASCII ('.' for anything else, so no control text is shown). */
export function hexRows(bytes: Uint8Array, base: number): HexRow[] {
  const rows: HexRow[] = [];
  for (let at = 0; at < bytes.length; at += WIDTH) {
    const cells = [...bytes.subarray(at, at + WIDTH)].map((b, i) => ({
      offset: base + at + i,
      hex: b.toString(16).padStart(2, '0'),
      text: b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'
    }));
    rows.push({ offset: base + at, cells });
  }
  return rows;
}

export function hexOffset(offset: number): string {
  return offset.toString(16).padStart(8, '0');
}
