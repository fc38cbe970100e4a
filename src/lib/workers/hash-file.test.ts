import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GIT_SHA1_MAX_BYTES } from '../core/hash/git-sha1-limit';
import { hashFile, PIPELINE_MIN_BYTES } from './hash-file';

const MiB = 1024 * 1024;
const gitBlobSha1 = (b: Uint8Array) =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

// In Node there is no Worker, so hashFile takes its in-thread path: the size rule is the same on both paths.
describe('hashFile: git blob SHA-1 only for files up to GIT_SHA1_MAX_BYTES', () => {
  it('hashes a file of exactly the limit with both digests, and one byte more without the SHA-1', async () => {
    const bytes = new Uint8Array(GIT_SHA1_MAX_BYTES + 1).map((_, i) => (i * 31) % 251);
    const atLimit = bytes.subarray(0, GIT_SHA1_MAX_BYTES);
    expect(await hashFile(new Blob([atLimit]), 'a.bin')).toEqual({
      sha256: createHash('sha256').update(atLimit).digest('hex'),
      gitSha1: gitBlobSha1(atLimit)
    });
    expect(await hashFile(new Blob([bytes]), 'b.bin')).toEqual({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      gitSha1: null
    });
  });

  it('only files above the limit take the feeder pipeline, which computes no SHA-1', () => {
    expect(PIPELINE_MIN_BYTES).toBeGreaterThan(GIT_SHA1_MAX_BYTES);
    expect(GIT_SHA1_MAX_BYTES).toBe(10 * MiB);
  });
});
