import { callback, connect } from './comlink';
import { abortError } from '../core/cancel';
import type { HashType } from '../core/signing/model-manifest';
import { digestWithHashWasm, type SourceDigester } from '../core/signing/range-digest';
import type { DigestWorkerApi } from './digest-api';

/** One digest worker, or anything that behaves like one. */
export interface DigestLane {
  digest(
    blob: Blob,
    start: number,
    length: number,
    hashType: HashType,
    onBytes: (n: number) => void
  ): Promise<string>;
  terminate(): void;
}

function spawnWorkerLane(): DigestLane {
  const worker = new Worker(new URL('./digest.worker.ts', import.meta.url), { type: 'module' });
  const { api, crashed, terminate } = connect<DigestWorkerApi>(
    worker,
    (message) => new Error(`the digest worker stopped unexpectedly (${message || 'no message'})`)
  );
  return {
    digest: (blob, start, length, hashType, onBytes) =>
      Promise.race([api.digest(blob, start, length, hashType, callback(onBytes)), crashed]),
    terminate
  };
}

function defaultSize(): number {
  return Math.min(4, Math.max(1, globalThis.navigator?.hardwareConcurrency || 1));
}

/**
 * A few digest workers (one per core, at most 4) behind a SourceDigester: each file or shard of a Blob-backed
 * source goes to a free lane; other sources are hashed in place. A lane that fails or is cancelled is replaced.
 */
export function createDigestPool(size = defaultSize(), spawn: () => DigestLane = spawnWorkerLane) {
  const idle: DigestLane[] = [];
  const waiting: ((lane: DigestLane) => void)[] = [];
  let created = 0;

  const acquire = (): Promise<DigestLane> => {
    const lane = idle.pop();
    if (lane) return Promise.resolve(lane);
    if (created < size) {
      created++;
      return Promise.resolve(spawn());
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (lane: DigestLane) => {
    const next = waiting.shift();
    if (next) next(lane);
    else idle.push(lane);
  };

  const digester: SourceDigester = async (source, hashType, opts) => {
    const origin = source.blob;
    if (!origin || typeof Blob === 'undefined' || !(origin.blob instanceof Blob)) {
      return digestWithHashWasm(source, hashType, opts);
    }
    const lane = await acquire();
    let onAbort: (() => void) | undefined;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError(opts.signal?.reason));
        if (opts.signal?.aborted) onAbort();
        else opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const work = lane.digest(origin.blob, origin.offset, source.size, hashType, (n) => opts.onBytes?.(n));
      const hex = await Promise.race([work, aborted]);
      release(lane);
      return hex;
    } catch (err) {
      lane.terminate();
      release(spawn());
      throw err;
    } finally {
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    digester,
    size,
    dispose() {
      for (const lane of idle) lane.terminate();
      idle.length = 0;
    }
  };
}
