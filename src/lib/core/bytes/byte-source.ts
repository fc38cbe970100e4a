/**
 * Random-access, read-only bytes. The browser wraps a Blob/File (slices are read lazily), Node wraps a file
 * handle (see src/lib/node/file-source.ts), tests wrap a Uint8Array. Nothing here touches the DOM.
 */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Returns exactly min(length, size - offset) bytes (empty past the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** A window onto [offset, offset + length) of this source, clamped to its size. */
  sub(offset: number, length: number, name?: string): ByteSource;
  /** For sources over a Blob: the Blob and where this source starts in it (lets work move to another worker). */
  readonly blob?: { blob: SliceableBlob; offset: number };
  /** Where byte 0 of this source lies in the file it was opened from; undefined for decompressed bytes. */
  readonly fileOffset?: number;
  /**
   * Where the platform allows it (Node files): reads min(target.length, size - offset) bytes into `target`
   * and returns how many, so a caller streaming gigabytes can recycle its buffers.
   */
  readInto?(offset: number, target: Uint8Array): Promise<number>;
  /**
   * The underlying bytes this source is a window of (compared by identity only) and where it starts in them,
   * so the scanner can tell when one window of a source lies inside another.
   */
  readonly origin?: { readonly of: unknown; readonly offset: number };
}

/** The structural part of Blob that we use, so the core compiles without the DOM lib. */
export interface SliceableBlob {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

type RawRead = (offset: number, length: number) => Promise<Uint8Array>;
type RawReadInto = (offset: number, target: Uint8Array) => Promise<void>;

function clampedRange(size: number, offset: number, length: number): [number, number] {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`invalid read range ${offset}+${length}`);
  }
  const start = Math.min(offset, size);
  return [start, Math.min(size, start + length)];
}

/** Builds a ByteSource from a raw reader over absolute offsets [base, base + size). */
export function rangeSource(
  name: string,
  size: number,
  raw: RawRead,
  base = 0,
  blob?: SliceableBlob,
  /** False for bytes that are not a file's (decompressed, built in memory): they have no file offset. */
  inFile = true,
  rawInto?: RawReadInto
): ByteSource {
  return {
    name,
    size,
    blob: blob && { blob, offset: base },
    fileOffset: inFile ? base : undefined,
    origin: { of: raw, offset: base },
    read(offset, length) {
      const [start, end] = clampedRange(size, offset, length);
      if (end === start) return Promise.resolve(new Uint8Array(0));
      return raw(base + start, end - start);
    },
    sub(offset, length, subName) {
      const [start, end] = clampedRange(size, offset, length);
      return rangeSource(subName ?? name, end - start, raw, base + start, blob, inFile, rawInto);
    },
    readInto:
      rawInto &&
      (async (offset, target) => {
        const [start, end] = clampedRange(size, offset, target.length);
        if (end > start) await rawInto(base + start, target.subarray(0, end - start));
        return end - start;
      })
  };
}

export function blobSource(blob: SliceableBlob, name: string): ByteSource {
  const read = async (offset: number, length: number) => {
    const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    if (bytes.length !== length) {
      throw new Error(`short read at ${offset}: wanted ${length} bytes, got ${bytes.length} (file changed?)`);
    }
    return bytes;
  };
  return rangeSource(name, blob.size, read, 0, blob);
}

export function memorySource(bytes: Uint8Array, name = 'memory'): ByteSource {
  const read = async (offset: number, length: number) => bytes.subarray(offset, offset + length);
  return rangeSource(name, bytes.length, read, 0, undefined, false);
}

/** Reads all of a (small) source. Callers must bound the size first. */
export async function readAll(src: ByteSource): Promise<Uint8Array> {
  return src.read(0, src.size);
}
