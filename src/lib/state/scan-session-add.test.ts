import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileJobPool, type JobRunner, type PoolEvents, type PoolJob } from '../workers/file-job-pool';
import { ScanSession } from './scan-session.svelte';

/** A runner that never finishes on its own (the files stay in progress), honouring cancel. */
function holdingRunner(): JobRunner {
  const running = new Map<number, (err: Error) => void>();
  return {
    run: (request) => new Promise((_, reject) => running.set(request.id, (err) => reject(err))),
    cancel: (id) => running.get(id)?.(Object.assign(new Error('cancelled'), { name: 'AbortError' })),
    terminate: () => undefined
  };
}

const picked = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ file: new File([`file ${i}`], `f${i}.bin`), path: `m/f${i}.bin` }));

async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !test(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(test()).toBe(true);
}

describe('ScanSession.add: jobs created in slices, each its own task', () => {
  const raf = globalThis.requestAnimationFrame;
  let clock = 0;
  beforeEach(() => {
    globalThis.requestAnimationFrame = (cb) => setTimeout(() => cb(0), 0) as unknown as number;
    // Each reading of the clock costs 1 ms: a slice of 12 ms then creates about a dozen jobs.
    vi.spyOn(performance, 'now').mockImplementation(() => clock++);
  });
  afterEach(() => {
    globalThis.requestAnimationFrame = raf;
    vi.restoreAllMocks();
  });

  function session(queued: PoolJob[]) {
    return new ScanSession((events: PoolEvents) => {
      const pool = new FileJobPool(holdingRunner, events, { size: 2, cancelGraceMs: 5 });
      const add = pool.add.bind(pool);
      pool.add = (jobs) => {
        queued.push(...jobs);
        add(jobs);
      };
      return pool;
    });
  }

  it("creates jobs in later tasks, never the caller's, every file once and in order", async () => {
    const queued: PoolJob[] = [];
    const s = session(queued);
    s.add(picked(400));
    expect(s.jobs).toHaveLength(0);
    expect(s.adding).toBe(400);
    expect(s.busy).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    // One slice: the clock, read every 16 rows, says 8 ms after about 8 readings.
    expect(s.jobs.length).toBeGreaterThan(0);
    expect(s.jobs.length).toBeLessThan(400);
    await until(() => s.adding === 0);
    expect(s.jobs.map((j) => j.path)).toEqual(picked(400).map((p) => p.path));
    expect(new Set(s.jobs.map((j) => j.id)).size).toBe(400);
    expect(queued.map((j) => j.id)).toEqual(s.jobs.map((j) => j.id));
    expect(s.jobs.every((j) => j.state === 'queued' || j.state === 'hashing')).toBe(true);
    expect(s.busy).toBe(true);
    s.dispose();
  });

  it('lists files cancelled before their job existed as cancelled, never reads them, and finishes', async () => {
    const queued: PoolJob[] = [];
    const s = session(queued);
    s.add(picked(100));
    await new Promise((r) => setTimeout(r, 0));
    const first = s.jobs.length;
    s.cancelAll();
    await until(() => s.adding === 0 && !s.busy);
    expect(s.jobs).toHaveLength(100);
    expect(s.jobs.every((j) => j.state === 'cancelled')).toBe(true);
    expect(queued).toHaveLength(first);
    expect(s.announcement).toMatch(/^Finished: 0 done, 100 cancelled/);
    s.dispose();
  });

  it('takes a size the walk already read instead of asking the File, and bounds a slice by rows', async () => {
    vi.spyOn(performance, 'now').mockImplementation(() => 0); // a slice never runs out of time
    let sizeReads = 0;
    const files = Array.from({ length: 2500 }, (_, i) => {
      const file = new File(['x'], `f${i}.bin`);
      Object.defineProperty(file, 'size', { get: () => (sizeReads++, 1) });
      return { file, path: `m/f${String(i).padStart(4, '0')}.bin`, size: 1 };
    });
    const queued: PoolJob[] = [];
    const s = session(queued);
    s.add(files);
    await new Promise((r) => setTimeout(r, 0));
    expect(s.jobs).toHaveLength(250);
    await until(() => s.adding === 0);
    expect(s.jobs).toHaveLength(2500);
    expect(s.jobs.every((j) => j.size === 1)).toBe(true);
    expect(sizeReads).toBe(0);
    s.dispose();
  });

  it('replaces a restored row when its path is dropped again, and keeps the other restored rows first', async () => {
    const stored = (path: string) => ({
      path,
      size: 1,
      state: 'done' as const,
      done: 1,
      sha256: 'a'.repeat(64),
      gitSha1: 'b'.repeat(40)
    });
    const s = session([]);
    s.restore([stored('m/f1.bin'), stored('old/kept.bin')]);
    s.add(picked(3));
    await until(() => s.adding === 0);
    expect(s.jobs.map((j) => [j.path, j.restored ?? false])).toEqual([
      ['old/kept.bin', true],
      ['m/f0.bin', false],
      ['m/f1.bin', false],
      ['m/f2.bin', false]
    ]);
    s.dispose();
  });

  it('holds reading back while a drop is listed, and a file cancelled meanwhile is never read', async () => {
    const queued: PoolJob[] = [];
    const s = session(queued);
    s.add(picked(400));
    await new Promise((r) => setTimeout(r, 0));
    expect(s.jobs.length).toBeGreaterThan(0);
    expect(s.adding).toBeGreaterThan(0);
    expect(queued).toHaveLength(0); // the slices so far took far less than HOLD_READING_MS
    const dropped = s.jobs[1].id;
    s.cancel(dropped);
    await until(() => s.adding === 0);
    await until(() => s.jobs.find((j) => j.id === dropped)?.state === 'cancelled');
    expect(queued.map((j) => j.id)).toEqual(s.jobs.map((j) => j.id).filter((id) => id !== dropped));
    s.dispose();
  });
});
