import { memorySource, type ByteSource } from '../../bytes/byte-source';
import { decompressBounded, deflateRaw, reportOutcome } from '../compressed/bounded';
import type { ScanContext } from '../types';
import type { ZipEntry } from './directory';
import { repeatOf, sharesBytes } from './structure-checks';

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

const METHOD_NAMES: Record<number, string> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'lzma',
  93: 'zstandard',
  95: 'xz',
  99: 'AES encryption'
};

/**
 * The member's bytes as the loader would see them: stored data is a zero-copy window; deflated data is
 * inflated (bounded) into memory. Returns undefined, after reporting why, when it cannot be read (or only what
 * inflated before corrupt or truncated data).
 */
export async function openMember(
  src: ByteSource,
  entry: ZipEntry,
  ctx: ScanContext
): Promise<ByteSource | undefined> {
  const label = JSON.stringify(entry.name);
  if (entry.dataOffset < 0) {
    ctx.incomplete(
      `Member ${label} has no readable local header, so it was not analysed.`,
      entry.localHeaderOffset
    );
    return undefined;
  }
  if (!(entry.dataOffset + entry.compressedSize <= src.size)) {
    ctx.incomplete(`Member ${label} runs past the end of the file (truncated archive).`, entry.dataOffset);
    return undefined;
  }
  // An exact repeat of an earlier member holds the same bytes: analysed once, under the first name.
  if (repeatOf(entry)) return undefined;
  const raw = src.sub(entry.dataOffset, entry.compressedSize, entry.name);
  if (entry.method === METHOD_STORED) {
    if (sharesBytes(entry) && !ctx.claimDecompressed(entry.compressedSize)) {
      ctx.incomplete(
        `Member ${label} re-reads bytes other members hold, and the per-file decompression budget (${ctx.limits.maxTotalDecompressedBytes} bytes) is spent, so it was not analysed.`,
        entry.dataOffset
      );
      return undefined;
    }
    return raw;
  }
  if (entry.method !== METHOD_DEFLATE) {
    const method = METHOD_NAMES[entry.method] ?? `#${entry.method}`;
    ctx.incomplete(
      `Member ${label} uses compression method ${method}, which Safeload does not decompress.`,
      entry.dataOffset,
      {
        details: { member: entry.name, method: entry.method }
      }
    );
    return undefined;
  }
  const outcome = await decompressBounded(raw, deflateRaw, ctx, `member ${label}`);
  if (!outcome.ok) {
    reportOutcome(ctx, outcome, entry.dataOffset);
    // A streaming reader (zipfile.open → pickle.load) unpickles what inflated before the damage: read that too.
    return outcome.partial && memorySource(outcome.partial, entry.name);
  }
  return memorySource(outcome.bytes, entry.name);
}
