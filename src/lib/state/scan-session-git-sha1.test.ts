import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobSource } from '../core/bytes/byte-source';
import { GIT_SHA1_MAX_BYTES } from '../core/hash/git-sha1-limit';
import { gitBlobSha1 } from '../core/hash/multi-digest';
import { FileJobPool, type JobRunner, type PoolEvents } from '../workers/file-job-pool';
import { runFileJob } from '../workers/file-job-run';
import { ScanSession } from './scan-session.svelte';

const gitSha1Of = (b: Uint8Array) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

/** The file-job worker's own code, run in this thread (one job at a time, as one worker runs them). */
function inThreadRunner(): JobRunner {
  const running = new Map<number, AbortController>();
  return {
    run(request, onProgress) {
      const controller = new AbortController();
      running.set(request.id, controller);
      return runFileJob(request, onProgress, controller.signal).finally(() => running.delete(request.id));
    },
    cancel: (id) => running.get(id)?.abort(),
    terminate: () => undefined
  };
}

async function settled(session: ScanSession, test: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(test()).toBe(true);
}

describe('ScanSession: git blob SHA-1 of large files on request', () => {
  const raf = globalThis.requestAnimationFrame;
  beforeAll(() => {
    globalThis.requestAnimationFrame = (cb) => setTimeout(() => cb(0), 0) as unknown as number;
  });
  afterAll(() => {
    globalThis.requestAnimationFrame = raf;
  });

  it('hashes a large file without one, then computes it for exactly the paths asked', async () => {
    const big = new Uint8Array(GIT_SHA1_MAX_BYTES + 4096).map((_, i) => (i * 7) % 256);
    const other = big.slice(0, GIT_SHA1_MAX_BYTES + 1);
    const small = new TextEncoder().encode('{"model_type": "bert"}\n');
    const asked: number[] = [];
    const session = new ScanSession(
      (events: PoolEvents) => new FileJobPool(inThreadRunner, events, { size: 1 }),
      (file) => {
        asked.push(file.size);
        return gitBlobSha1(blobSource(file, 'f'));
      }
    );
    session.add([
      { file: new File([big], 'big.bin'), path: 'repo/big.bin' },
      { file: new File([other], 'other.bin'), path: 'repo/other.bin' },
      { file: new File([small], 'config.json'), path: 'repo/config.json' }
    ]);
    await settled(session, () => session.jobs.length === 3 && session.jobs.every((j) => j.state === 'done'));
    const byPath = () => Object.fromEntries(session.jobs.map((j) => [j.path, j]));
    expect(byPath()['repo/config.json'].gitSha1).toBe(gitSha1Of(small));
    expect(byPath()['repo/big.bin'].gitSha1).toBeNull();
    expect(byPath()['repo/big.bin'].sha256).toBe(createHash('sha256').update(big).digest('hex'));

    session.requestGitSha1(['repo/big.bin', 'repo/config.json', 'repo/missing.bin']);
    session.requestGitSha1(['repo/big.bin']); // asked again while running: computed once
    await settled(session, () => byPath()['repo/big.bin'].gitSha1 !== null);
    expect(byPath()['repo/big.bin'].gitSha1).toBe(gitSha1Of(big));
    expect(byPath()['repo/other.bin'].gitSha1).toBeNull();
    expect(asked).toEqual([big.length]);
    session.dispose();
  });

  it('a file that cannot be re-read gets an error instead of a digest', async () => {
    const big = new Uint8Array(GIT_SHA1_MAX_BYTES + 1);
    const session = new ScanSession(
      (events: PoolEvents) => new FileJobPool(inThreadRunner, events, { size: 1 }),
      () => Promise.reject(Object.assign(new Error('gone'), { name: 'NotReadableError' }))
    );
    session.add([{ file: new File([big], 'big.bin'), path: 'big.bin' }]);
    await settled(session, () => session.jobs[0]?.state === 'done');
    session.requestGitSha1(['big.bin']);
    await settled(session, () => session.jobs[0].gitSha1Error !== undefined);
    expect(session.jobs[0].gitSha1Error).toMatch(/could not be read/);
    expect(session.jobs[0].gitSha1).toBeNull();
  });
});
