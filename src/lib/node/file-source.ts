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
  const readInto = async (offset: number, target: Uint8Array) => {
    for (let got = 0; got < target.length;) {
      const { bytesRead } = await handle.read(target, got, target.length - got, offset + got);
      if (bytesRead === 0) throw new Error(`short read at ${offset + got} in ${path}: file shrank`);
      got += bytesRead;
    }
  };
  const read = async (offset: number, length: number) => {
    // Not zero-filled first (every byte is read into it or the read throws): a full pass saved per chunk.
    const unsafe = Buffer.allocUnsafeSlow(length);
    const buf = new Uint8Array(unsafe.buffer, unsafe.byteOffset, length);
    await readInto(offset, buf);
    return buf;
  };
  const source = rangeSource(name, size, read, 0, undefined, true, readInto);
  return { source, close: () => handle.close() };
}
