import type { ByteSource } from '../../bytes/byte-source';
import { SequentialReader, TruncatedError } from '../../bytes/reader';

const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
export const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

export interface ZipEntry {
  index: number;
  /** The name in the central directory: what Python's zipfile and PyTorch's reader look up. */
  name: string;
  /** The name in the local header, when it could be read. */
  localName?: string;
  method: number;
  flags: number;
  localFlags?: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Absolute offsets in the source, already shifted by any prepended data. */
  localHeaderOffset: number;
  dataOffset: number;
  /** Unix mode bits when the archive was made on Unix (upper half of the external attributes). */
  unixMode: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Entries declared by the end record (may be more than were read). */
  declaredEntries: number;
  /** Bytes before the archive proper (a prepended file); Python's zipfile skips them, torch.load does not. */
  prependedBytes: number;
  centralOffset: number;
  endOffset: number;
  zip64: boolean;
  /** Problems found while reading the directory itself. */
  problems: string[];
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
}

/** Offset of the last end-of-central-directory record in the tail (as zipfile and miniz search), or -1. */
export function findEndRecord(tail: Uint8Array): number {
  for (let i = tail.length - EOCD_SIZE; i >= 0 && i >= tail.length - EOCD_SIZE - MAX_COMMENT; i--) {
    // The end-of-central-directory signature, "PK\5\6".
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) return i;
  }
  return -1;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function decodeName(bytes: Uint8Array, flags: number): string {
  return flags & 0x800 ? utf8.decode(bytes) : latin1.decode(bytes);
}

interface EndRecord {
  entries: number;
  centralSize: number;
  centralOffset: number;
  /** Where the record that gives those numbers starts (zip64 record when present). */
  recordOffset: number;
  zip64: boolean;
}

async function readEndRecord(src: ByteSource): Promise<EndRecord | undefined> {
  const tailLength = Math.min(src.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = src.size - tailLength;
  const tail = await src.read(tailStart, tailLength);
  const at = findEndRecord(tail);
  if (at < 0) return undefined;
  const end: EndRecord = {
    entries: u16(tail, at + 10),
    centralSize: u32(tail, at + 12),
    centralOffset: u32(tail, at + 16),
    recordOffset: tailStart + at,
    zip64: false
  };
  const locatorAt = tailStart + at - 20;
  if (locatorAt < 0) return end;
  const locator = await src.read(locatorAt, 20);
  if (u32(locator, 0) !== ZIP64_LOCATOR_SIG) return end;
  const reader = new SequentialReader(src, 0, 4096);
  reader.pos = locatorAt + 8;
  const recordOffset = await reader.u64le();
  if (!(recordOffset + 56 <= locatorAt)) return end;
  reader.pos = recordOffset;
  if ((await reader.u32le()) !== ZIP64_EOCD_SIG) return end;
  reader.skip(8 + 2 + 2 + 4 + 4 + 8);
  const entries = await reader.u64le();
  const centralSize = await reader.u64le();
  const centralOffset = await reader.u64le();
  return { entries, centralSize, centralOffset, recordOffset, zip64: true };
}

function applyZip64Extra(extra: Uint8Array, entry: ZipEntry, rawOffset: { value: number }): void {
  for (let p = 0; p + 4 <= extra.length;) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    const body = extra.subarray(p + 4, p + 4 + len);
    if (id === 0x0001) {
      let q = 0;
      const next = () => {
        if (q + 8 > body.length) return undefined;
        const hi = u32(body, q + 4);
        const value = hi >= 0x200000 ? Infinity : hi * 0x100000000 + u32(body, q);
        q += 8;
        return value;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next() ?? entry.uncompressedSize;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize;
      if (rawOffset.value === 0xffffffff) rawOffset.value = next() ?? rawOffset.value;
    }
    p += 4 + len;
  }
}

/**
 * Reads the central directory the way Python's zipfile does: from the end record, shifting every offset by
 * the bytes found in front of the archive. At most `maxEntries` entries are read.
 */
export async function readZipDirectory(
  src: ByteSource,
  maxEntries: number
): Promise<ZipDirectory | undefined> {
  const end = await readEndRecord(src);
  if (!end) return undefined;
  const problems: string[] = [];
  const prependedBytes = end.recordOffset - end.centralSize - end.centralOffset;
  const shift = Math.max(0, prependedBytes);
  if (prependedBytes < 0)
    problems.push('the end record points past itself (central directory offset/size too large)');
  const centralOffset = end.centralOffset + shift;
  const entries: ZipEntry[] = [];
  const reader = new SequentialReader(src.sub(0, end.recordOffset), centralOffset);
  const limit = Math.min(end.entries, maxEntries);
  try {
    for (let index = 0; index < limit; index++) {
      if ((await reader.u32le()) !== CENTRAL_SIG) {
        problems.push(`central directory entry ${index} has a bad signature at offset ${reader.pos - 4}`);
        break;
      }
      const fixed = await reader.bytes(42);
      const flags = u16(fixed, 4);
      const nameLength = u16(fixed, 24);
      const extraLength = u16(fixed, 26);
      const commentLength = u16(fixed, 28);
      const entry: ZipEntry = {
        index,
        name: '',
        method: u16(fixed, 6),
        flags,
        crc32: u32(fixed, 12),
        compressedSize: u32(fixed, 16),
        uncompressedSize: u32(fixed, 20),
        localHeaderOffset: 0,
        dataOffset: 0,
        unixMode: fixed[1] === 3 ? u32(fixed, 34) >>> 16 : 0
      };
      const rawOffset = { value: u32(fixed, 38) };
      entry.name = decodeName(await reader.bytes(nameLength), flags);
      applyZip64Extra((await reader.bytes(extraLength)).slice(), entry, rawOffset);
      reader.skip(commentLength);
      entry.localHeaderOffset = rawOffset.value + shift;
      entries.push(entry);
    }
  } catch (err) {
    if (!(err instanceof TruncatedError)) throw err;
    problems.push(`the central directory ends early (after ${entries.length} of ${end.entries} entries)`);
  }
  for (const entry of entries) await readLocalHeader(src, entry, problems);
  return {
    entries,
    declaredEntries: end.entries,
    prependedBytes: shift,
    centralOffset,
    endOffset: end.recordOffset,
    zip64: end.zip64,
    problems
  };
}

async function readLocalHeader(src: ByteSource, entry: ZipEntry, problems: string[]): Promise<void> {
  const header = await src.read(entry.localHeaderOffset, 30);
  if (header.length < 30 || u32(header, 0) !== LOCAL_SIG) {
    problems.push(`no local header for ${JSON.stringify(entry.name)} at offset ${entry.localHeaderOffset}`);
    entry.dataOffset = -1;
    return;
  }
  const nameLength = u16(header, 26);
  const extraLength = u16(header, 28);
  entry.localFlags = u16(header, 6);
  entry.localName = decodeName(await src.read(entry.localHeaderOffset + 30, nameLength), entry.localFlags);
  entry.dataOffset = entry.localHeaderOffset + 30 + nameLength + extraLength;
}
