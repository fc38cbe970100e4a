import type { ByteSource } from '../../bytes/byte-source';
import type { ScanContext } from '../types';
import { concat, MEMORY_CAP, type Outcome } from './bounded';

/** .xz through the xz-embedded WebAssembly build, read as a stream and cancelled at the limit. */
export async function decodeXz(src: ByteSource, ctx: ScanContext): Promise<Outcome> {
  const { XzReadableStream } = await import('xz-decompress');
  const cap = Math.min(ctx.limits.maxDecompressedBytes, MEMORY_CAP);
  let offset = 0;
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= src.size) return controller.close();
      const chunk = await src.read(offset, 64 * 1024);
      offset += chunk.length;
      controller.enqueue(chunk);
    }
  });
  const reader = new XzReadableStream(input).getReader();
  const parts: Uint8Array[] = [];
  let produced = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      produced += value.length;
      if (produced > cap || !ctx.claimDecompressed(value.length)) {
        await reader.cancel();
        const ratio = produced / Math.max(1, offset);
        return {
          ok: false,
          reason: `xz data decompresses to more than the limit (${cap} bytes) or the per-file budget`,
          bomb: ratio > ctx.limits.maxCompressionRatio,
          produced,
          consumed: offset
        };
      }
      parts.push(value.slice());
    }
  } catch (err) {
    return {
      ok: false,
      reason: `xz data is corrupt: ${String((err as Error)?.message ?? err)}`,
      bomb: false,
      produced,
      consumed: offset
    };
  }
  return { ok: true, bytes: concat(parts, produced) };
}
