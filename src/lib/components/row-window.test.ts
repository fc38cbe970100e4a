import { describe, expect, it } from 'vitest';
import { ROW_ESTIMATE_PX, rowOffsets, rowWindow } from './row-window';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));

describe('rowOffsets', () => {
  it('uses measured heights and the average measured height for the rest', () => {
    const offsets = rowOffsets(
      rows(4),
      new Map([
        [1, 100],
        [3, 50]
      ])
    );
    expect([...offsets]).toEqual([0, 100, 175, 225, 300]);
  });

  it('assumes a fixed height before any row is measured', () => {
    expect([...rowOffsets(rows(2), new Map())]).toEqual([0, ROW_ESTIMATE_PX, 2 * ROW_ESTIMATE_PX]);
  });
});

describe('rowWindow', () => {
  const offsets = rowOffsets(rows(10_000), new Map([[1, 10]])); // every row 10 px: 100,000 px in all

  it('returns the rows overlapping the band, partly visible rows included', () => {
    expect(rowWindow(offsets, 25, 55)).toEqual({ start: 2, end: 6 });
    expect(rowWindow(offsets, 20, 60)).toEqual({ start: 2, end: 6 });
  });

  it('starts at the first row when the band begins above the list', () => {
    expect(rowWindow(offsets, -500, 30)).toEqual({ start: 0, end: 3 });
  });

  it('ends at the last row when the band reaches past the list', () => {
    expect(rowWindow(offsets, 99_985, 120_000)).toEqual({ start: 9_998, end: 10_000 });
  });

  it('is empty when the band is entirely above or below the list, or the list is empty', () => {
    expect(rowWindow(offsets, -900, -100)).toEqual({ start: 0, end: 0 });
    expect(rowWindow(offsets, 100_000, 100_500)).toEqual({ start: 0, end: 0 });
    expect(rowWindow(rowOffsets([], new Map()), 0, 100)).toEqual({ start: 0, end: 0 });
  });
});
