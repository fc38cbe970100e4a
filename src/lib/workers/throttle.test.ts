import { describe, expect, it } from 'vitest';
import { throttleProgress } from './throttle';

describe('throttleProgress', () => {
  it('passes at most one call per interval, plus the final one', () => {
    let now = 0;
    const seen: number[] = [];
    const progress = throttleProgress(
      (done) => seen.push(done),
      100,
      () => now
    );
    for (let done = 0; done < 1000; done += 10) {
      progress(done, 1000);
      now += 7;
    }
    progress(1000, 1000);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(1000);
    // 100 calls over 700 ms → the first plus one per 100 ms, plus the final call.
    expect(seen.length).toBeLessThanOrEqual(9);
    expect(seen.length).toBeGreaterThanOrEqual(7);
  });
});
