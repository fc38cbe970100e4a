import { createSHA256, type IHasher } from 'hash-wasm';
import { abortError } from '../core/cancel';
import { errorFromData, type FeederMessage, type HasherMessage } from './hash-protocol';

export interface PipelineOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const idleSha256: IHasher[] = [];

export interface PipelineResult {
  sha256: string;
  buffersAllocated: number;
}

/**
 * Hashing side of a job: SHA-256 over the chunks a feeder sends on `port`, returning each buffer as soon as it
 * is hashed. Settles once; cancelling tells the feeder to stop.
 */
export async function hashFromFeeder(
  port: MessagePort,
  size: number,
  { signal, onProgress }: PipelineOptions = {}
): Promise<PipelineResult> {
  if (signal?.aborted) throw abortError(signal.reason);
  const sha256 = idleSha256.pop() ?? (await createSHA256());
  sha256.init();
  const reply = (msg: HasherMessage, transfer: Transferable[] = []) => port.postMessage(msg, transfer);
  let done = 0;
  return new Promise<PipelineResult>((resolve, reject) => {
    const settle = (fn: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      port.onmessage = null;
      port.close();
      idleSha256.push(sha256);
      fn();
    };
    const onAbort = () => {
      reply({ type: 'cancel' });
      settle(() => reject(abortError(signal?.reason)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    onProgress?.(0, size);
    port.onmessage = ({ data }: MessageEvent<FeederMessage>) => {
      if (data.type === 'chunk') {
        sha256.update(new Uint8Array(data.buffer, 0, data.length));
        reply({ type: 'return', buffer: data.buffer }, [data.buffer]);
        done += data.length;
        onProgress?.(done, size);
      } else if (data.type === 'error') {
        settle(() => reject(errorFromData(data)));
      } else if (done !== size || data.bytes !== size) {
        settle(() => reject(new Error(`hashed ${done} of ${size} bytes: the file changed while hashing`)));
      } else {
        const sha = sha256.digest('hex');
        settle(() => resolve({ sha256: sha, buffersAllocated: data.buffersAllocated }));
      }
    };
  });
}
