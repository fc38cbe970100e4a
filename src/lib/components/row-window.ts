/** Height assumed for a row not yet measured, when no row has been measured either (a queued row, in px). */
export const ROW_ESTIMATE_PX = 72;

/**
 * Where each row starts, in px from the top of the list: offsets[i] for row i, offsets[n] the list's height.
 * Rows not measured yet count as the average measured row.
 */
export function rowOffsets(
  rows: readonly { id: number }[],
  heights: ReadonlyMap<number, number>
): Float64Array {
  let sum = 0;
  for (const h of heights.values()) sum += h;
  const estimate = heights.size > 0 ? sum / heights.size : ROW_ESTIMATE_PX;
  const offsets = new Float64Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) offsets[i + 1] = offsets[i] + (heights.get(rows[i].id) ?? estimate);
  return offsets;
}

/** First index i in [0, n] with offsets[i] > y (n when none). */
function firstAbove(offsets: Float64Array, y: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] > y) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The rows [start, end) that overlap the band from..to (px from the list's top). */
export function rowWindow(offsets: Float64Array, from: number, to: number): { start: number; end: number } {
  const n = offsets.length - 1;
  if (n <= 0 || to <= 0 || from >= offsets[n]) return { start: 0, end: 0 };
  const start = Math.max(0, firstAbove(offsets, from) - 1);
  const end = Math.min(n, Math.max(start + 1, firstAbove(offsets, to - 1e-9)));
  return { start, end };
}
