import type { FeedJob, FeederMessage, HasherMessage } from './hash-protocol';
import { errorToData } from './hash-protocol';

/** Fills `buffer` from `next` reads until full or the end; returns the (possibly new) buffer and the bytes in it. */
type ChunkReader = (buffer: ArrayBuffer) => Promise<{ buffer: ArrayBuffer | undefined; length: number }>;

/** A BYOB reader writes straight into our pooled buffers: no allocation or copy per chunk. */
function byobReader(file: Blob): ChunkReader | undefined {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = file.stream().getReader({ mode: 'byob' });
  } catch {
    return undefined;
  }
  return async (buffer) => {
    let length = 0;
    let current: ArrayBuffer | undefined = buffer;
    while (current && length < current.byteLength) {
      const view: Uint8Array<ArrayBuffer> = new Uint8Array(current, length, current.byteLength - length);
      const { done, value }: ReadableStreamReadResult<Uint8Array<ArrayBuffer>> = await reader.read(view);
      current = value?.buffer;
      if (done) break;
      length += value.length;
    }
    return { buffer: current, length };
  };
}

/** Where BYOB streams are missing: slices copied into the pooled buffer (one memcpy per chunk). */
function sliceReader(file: Blob): ChunkReader {
  let offset = 0;
  return async (buffer) => {
    const bytes = new Uint8Array(await file.slice(offset, offset + buffer.byteLength).arrayBuffer());
    new Uint8Array(buffer).set(bytes);
    offset += bytes.length;
    return { buffer, length: bytes.length };
  };
}

/**
 * Feeder side of a hash job: reads `file` in order into at most `pool` buffers and transfers each to the hashing
 * thread, which sends it back when done. Resolves when the job ends.
 */
export async function feedFile(
  { file, port, chunkSize, pool }: FeedJob,
  mode: 'byob' | 'slice' = 'byob'
): Promise<void> {
  const free: ArrayBuffer[] = [];
  let allocated = 0;
  let cancelled = false;
  let wake: (() => void) | undefined;
  port.onmessage = ({ data }: MessageEvent<HasherMessage>) => {
    if (data.type === 'return') free.push(data.buffer);
    else cancelled = true;
    wake?.();
  };
  const send = (msg: FeederMessage, transfer: Transferable[] = []) => port.postMessage(msg, transfer);
  try {
    const read = (mode === 'byob' && byobReader(file)) || sliceReader(file);
    let bytes = 0;
    while (!cancelled) {
      if (free.length === 0 && allocated < pool) {
        free.push(new ArrayBuffer(Math.max(1, Math.min(chunkSize, file.size))));
        allocated++;
      }
      while (free.length === 0 && !cancelled) await new Promise<void>((resolve) => (wake = resolve));
      if (cancelled) break;
      const { buffer, length } = await read(free.pop()!);
      if (!buffer) allocated--; // the stream kept it (only when cancelled underneath us)
      if (length === 0) break;
      bytes += length;
      if (bytes > file.size)
        throw new Error(`read more than ${file.size} bytes: the file changed while hashing`);
      send({ type: 'chunk', buffer: buffer!, length }, [buffer!]);
    }
    if (cancelled) return;
    if (bytes !== file.size)
      throw new Error(`read ${bytes} of ${file.size} bytes: the file changed while hashing`);
    send({ type: 'done', bytes, buffersAllocated: allocated });
  } catch (err) {
    if (!cancelled) send({ type: 'error', ...errorToData(err) });
  } finally {
    port.onmessage = null;
    port.close();
  }
}
