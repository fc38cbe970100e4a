import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate, percent } from './format';

describe('display formatting', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 1024 ** 2)).toBe('5.00 MiB');
    expect(formatBytes(512 * 1024 ** 3)).toBe('512 GiB');
    expect(formatBytes(Number.NaN)).toBe('–');
  });

  it('formats rates and durations, with a dash when unknown', () => {
    expect(formatRate(0)).toBe('–');
    expect(formatRate(300 * 1024 ** 2)).toBe('300 MiB/s');
    expect(formatDuration(undefined)).toBe('–');
    expect(formatDuration(0.3)).toBe('< 1 s');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3 h 2 min');
  });

  it('treats an empty file as complete', () => {
    expect(percent(0, 0)).toBe(100);
    expect(percent(50, 200)).toBe(25);
    expect(percent(300, 200)).toBe(100);
  });
});
