import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { rangeSource, type ByteSource } from '../core/bytes/byte-source';

/** A ByteSource over a Node file handle. Close the handle when done. */
export async function openFileSource(
  path: string,
  name = basename(path)
): Promise<{ source: ByteSource; close: () => Promise<void> }> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  const source = rangeSource(name, size, async (offset, length) => {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) throw new Error(`short read at ${offset + got} in ${path}: file shrank`);
      got += bytesRead;
    }
    return buf;
  });
  return { source, close: () => handle.close() };
}
