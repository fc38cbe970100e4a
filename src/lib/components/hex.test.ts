import { describe, expect, it } from 'vitest';
import { HEX_WINDOW, hexOffset, hexRows, windowStart } from './hex';

describe('hex view', () => {
  it('starts a bounded window on a row boundary a few rows before the offset, inside the file', () => {
    expect(windowStart(0, 1000)).toBe(0);
    expect(windowStart(200, 1000)).toBe(96);
    expect(windowStart(990, 1000)).toBe(1008 - HEX_WINDOW);
    expect(windowStart(5, 10)).toBe(0);
  });

  it('shows printable ASCII only', () => {
    const [row] = hexRows(Uint8Array.of(0x63, 0x0a, 0x1b, 0x7f, 0x41), 32);
    expect(row.offset).toBe(32);
    expect(row.cells.map((c) => c.hex).join(' ')).toBe('63 0a 1b 7f 41');
    expect(row.cells.map((c) => c.text).join('')).toBe('c...A');
    expect(row.cells[4].offset).toBe(36);
    expect(hexOffset(46)).toBe('0000002e');
  });
});
