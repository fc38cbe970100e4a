import * as Comlink from 'comlink';
import { abortError } from '../core/cancel';
import { digestWithHashWasm, type SourceDigester } from '../core/signing/range-digest';
import type { DigestWorkerApi } from './digest-api';

interface Lane {
  worker: Worker;
  api: Comlink.Remote<DigestWorkerApi>;
}

/**
 * A few digest workers (one per core, at most 4) behind a SourceDigester: the signing worker hands each
 * file or shard over Blob-backed sources to a free lane; other sources are hashed in place.
 */
export function createDigestPool(size = Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1))) {
  const idle: Lane[] = [];
  const waiting: ((lane: Lane) => void)[] = [];
  let created = 0;

  const spawn = (): Lane => {
    const worker = new Worker(new URL('./digest.worker.ts', import.meta.url), { type: 'module' });
    return { worker, api: Comlink.wrap<DigestWorkerApi>(worker) };
  };
  const acquire = (): Promise<Lane> => {
    const lane = idle.pop();
    if (lane) return Promise.resolve(lane);
    if (created < size) {
      created++;
      return Promise.resolve(spawn());
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (lane: Lane) => {
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
      const work = lane.api.digest(
        origin.blob,
        origin.offset,
        source.size,
        hashType,
        Comlink.proxy((n: number) => opts.onBytes?.(n))
      );
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError(opts.signal?.reason));
        if (opts.signal?.aborted) onAbort();
        else opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const hex = await Promise.race([work, aborted]);
      release(lane);
      return hex;
    } catch (err) {
      // A lane that failed or was cancelled mid-file is replaced rather than reused.
      lane.worker.terminate();
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
      for (const lane of idle) lane.worker.terminate();
      idle.length = 0;
    }
  };
}
