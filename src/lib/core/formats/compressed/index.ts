import { memorySource, readAll, type ByteSource } from '../../bytes/byte-source';
import { REJECTED, type FormatScanner, type MemberRole, type Probe, type ScanContext } from '../types';
import {
  decompressBounded,
  gzipStream,
  MEMORY_CAP,
  reportOutcome,
  zlibStream,
  type Outcome
} from './bounded';
import { decodeLz4Frames } from './lz4';
import { compressionOf, type CompressionKind } from './magic';
import { sevenZipFormat } from './seven-zip';
import { decodeXz } from './xz';

async function decode(
  kind: CompressionKind,
  src: ByteSource,
  ctx: ScanContext
): Promise<Outcome | undefined> {
  switch (kind) {
    case 'gzip':
      return checkGzipTrailer(src, await decompressBounded(src, gzipStream, ctx, 'gzip data'));
    case 'zlib':
      return decompressBounded(src, zlibStream, ctx, 'zlib data');
    case 'xz':
      return decodeXz(src, ctx);
    case 'lz4': {
      if (src.size > MEMORY_CAP) return undefined;
      const outcome = decodeLz4Frames(
        await readAll(src),
        Math.min(ctx.limits.maxDecompressedBytes, MEMORY_CAP)
      );
      if (outcome.ok && !ctx.claimDecompressed(outcome.bytes.length))
        return {
          ok: false,
          reason: 'the per-file decompression budget is spent',
          bomb: false,
          produced: outcome.bytes.length,
          consumed: src.size
        };
      if (!outcome.ok)
        return {
          ...outcome,
          bomb:
            outcome.bomb && outcome.produced / Math.max(1, outcome.consumed) > ctx.limits.maxCompressionRatio
        };
      return outcome;
    }
    default:
      return undefined;
  }
}

/**
 * fflate ends a gzip stream cut inside its header as an empty one, and does not check the trailer. The
 * trailer's ISIZE (length mod 2^32) must match what came out, or the file is truncated (or holds several
 * members, which this also reports as not fully checked: never clean by mistake).
 */
async function checkGzipTrailer(src: ByteSource, outcome: Outcome): Promise<Outcome> {
  if (!outcome.ok) return outcome;
  const tail = src.size >= 18 ? await src.read(src.size - 4, 4) : undefined;
  const isize = tail && (tail[0] | (tail[1] << 8) | (tail[2] << 16)) + tail[3] * 0x1000000;
  if (isize === outcome.bytes.length % 2 ** 32) return outcome;
  return {
    ok: false,
    reason: 'the gzip data is truncated: its trailer does not match what it decompresses to',
    bomb: false,
    produced: outcome.bytes.length,
    consumed: src.size
  };
}

function compressedFormat(kind: CompressionKind, label: string): FormatScanner {
  return {
    id: kind,
    label,
    sniff: (probe: Probe) => compressionOf(probe.head) === kind,
    async scan(src, ctx) {
      const outcome = await decode(kind, src, ctx);
      if (!outcome) {
        ctx.incomplete(
          `${label} streams are not decompressed by Safeload yet, so the content was not analysed.`,
          0
        );
        return;
      }
      // The decompressed stream is model data when the compressed file or member is (model.pkl.gz, joblib).
      const role: MemberRole = ctx.expectsModel ? 'model' : 'content';
      if (!outcome.ok) {
        reportOutcome(ctx, outcome, 0);
        // Nothing came out: the magic number was a coincidence (a pickle may start with "BZh" too).
        if (outcome.produced === 0 && !outcome.bomb) return REJECTED;
        if (outcome.partial) {
          const name = `${kind}-decompressed (partial)`;
          await ctx.scanNested(memorySource(outcome.partial, `${src.name} (${name})`), name, role);
        }
        return;
      }
      ctx.fact(`${kind} decompressed bytes`, outcome.bytes.length);
      await ctx.scanNested(
        memorySource(outcome.bytes, `${src.name} (${kind}-decompressed)`),
        `${kind}-decompressed`,
        role
      );
    }
  };
}

/** Compression wrappers a loader undoes before unpickling: joblib's compressors, gzip'd tars. */
export const COMPRESSED_FORMATS: readonly FormatScanner[] = [
  compressedFormat('gzip', 'gzip'),
  compressedFormat('zlib', 'zlib'),
  compressedFormat('bzip2', 'bzip2'),
  compressedFormat('xz', 'xz'),
  compressedFormat('lzma', 'lzma (alone)'),
  compressedFormat('lz4', 'LZ4 frame'),
  sevenZipFormat
];
