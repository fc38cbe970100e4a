import { describe, expect, it } from 'vitest';
import { pageOf, shapeText } from './inspected-view';

describe('inspected tables', () => {
  it('pages 100,000 rows one page at a time, filtered', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `layer.${i}.weight`);
    const first = pageOf(rows, '', (r) => r, 0);
    expect(first.rows).toHaveLength(100);
    expect(first.pages).toBe(1000);
    const last = pageOf(rows, '', (r) => r, 5000);
    expect(last.page).toBe(999);
    expect(last.rows.at(-1)).toBe('layer.99999.weight');
    const filtered = pageOf(rows, 'LAYER.4242.', (r) => r, 0);
    expect(filtered.rows).toEqual(['layer.4242.weight']);
    expect(filtered.matching).toBe(1);
  });

  it('writes shapes as dimensions', () => {
    expect(shapeText([8, 4])).toBe('8 × 4');
    expect(shapeText([])).toBe('scalar');
  });
});
