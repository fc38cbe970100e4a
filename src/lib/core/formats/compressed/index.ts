import { memorySource, readAll, type ByteSource } from '../../bytes/byte-source';
import { throwIfAborted } from '../../cancel';
import { REJECTED, type FormatScanner, type MemberRole, type Probe, type ScanContext } from '../types';
import {
  concat,
  decompressBounded,
  gzipStream,
  MEMORY_CAP,
  reportOutcome,
  zlibStream,
  type Outcome
} from './bounded';
import { decodeBzip2 } from './bzip2';
import { DecompressError } from './errors';
import { decodeLz4Frames } from './lz4';
import { decodeLzmaAlone } from './lzma-alone';
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
    case 'bzip2':
      return src.size > MEMORY_CAP ? undefined : decodeBzip2Bounded(await readAll(src), ctx);
    case 'lzma':
      return src.size > MEMORY_CAP ? undefined : decodeLzmaBounded(await readAll(src), ctx);
    default:
      return undefined;
  }
}

class OutputLimit extends Error {}

/** bzip2, block by block, stopping as soon as the output passes the limit or the per-file budget. */
function decodeBzip2Bounded(data: Uint8Array, ctx: ScanContext): Outcome {
  const cap = Math.min(ctx.limits.maxDecompressedBytes, MEMORY_CAP);
  const parts: Uint8Array[] = [];
  let produced = 0;
  const sink = {
    write(bytes: Uint8Array) {
      produced += bytes.length;
      if (produced > cap)
        throw new OutputLimit(`bzip2 data decompresses to more than ${cap} bytes (the limit)`);
      if (!ctx.claimDecompressed(bytes.length)) {
        throw new OutputLimit(
          `the per-file decompression budget (${ctx.limits.maxTotalDecompressedBytes} bytes) is spent`
        );
      }
      parts.push(bytes);
    }
  };
  try {
    for (const _ of decodeBzip2(data, sink)) throwIfAborted(ctx.signal);
  } catch (err) {
    if (err instanceof OutputLimit) return limitOutcome(err.message, produced, data.length, ctx);
    if (err instanceof DecompressError && err.code === 'BZIP2_CORRUPT') {
      // Whole blocks before the damage: a streaming loader (joblib's BZ2File) unpickles them first.
      const partial = produced > 0 ? concat(parts, produced) : undefined;
      const reason = `bzip2 data is corrupt: ${err.message}`;
      return { ok: false, reason, bomb: false, produced, consumed: data.length, partial };
    }
    throw err;
  }
  return { ok: true, bytes: concat(parts, produced) };
}

/** LZMA-alone into one bounded buffer, claiming the per-file budget as the output grows. */
function decodeLzmaBounded(data: Uint8Array, ctx: ScanContext): Outcome {
  const cap = Math.min(ctx.limits.maxDecompressedBytes, MEMORY_CAP);
  const budget = `the per-file decompression budget (${ctx.limits.maxTotalDecompressedBytes} bytes) is spent`;
  let claimed = 0;
  const claimUpTo = (produced: number) => {
    const ok = ctx.claimDecompressed(produced - claimed);
    claimed = produced;
    if (!ok) throw new OutputLimit(budget);
  };
  let bytes: Uint8Array;
  try {
    bytes = decodeLzmaAlone(data, cap, (produced) => {
      throwIfAborted(ctx.signal);
      claimUpTo(produced);
    });
    claimUpTo(bytes.length);
  } catch (err) {
    if (err instanceof DecompressError && err.code === 'LZMA_LIMIT')
      return limitOutcome(err.message, Math.max(err.produced, cap), data.length, ctx);
    if (err instanceof OutputLimit) return limitOutcome(err.message, claimed, data.length, ctx);
    if (err instanceof DecompressError && err.code === 'LZMA_CORRUPT')
      return corruptOutcome(`lzma data is corrupt: ${err.message}`, 0, data.length);
    throw err;
  }
  return { ok: true, bytes };
}

function limitOutcome(reason: string, produced: number, consumed: number, ctx: ScanContext): Outcome {
  const bomb = produced / Math.max(1, consumed) > ctx.limits.maxCompressionRatio;
  return { ok: false, reason, bomb, produced, consumed };
}

function corruptOutcome(reason: string, produced: number, consumed: number): Outcome {
  return { ok: false, reason, bomb: false, produced, consumed };
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
