import { memorySource, type ByteSource } from '../bytes/byte-source';
import { readZipDirectory, type ZipEntry } from '../formats/zip/directory';
import { METHOD_DEFLATE, METHOD_STORED } from '../formats/zip/member';
import { ConvertError } from './errors';
import { deflatedStorage, readRange, storedStorage, type StorageData } from './storage-data';

/** Pickles read from a deflated member are inflated into memory up to this size. */
const MAX_INFLATED_PICKLE = 256 * 1024 * 1024;

/** A zip's members by name, refusing the ambiguities a loader and a scanner could read differently. */
export class ZipMembers {
  private constructor(
    readonly src: ByteSource,
    readonly entries: Map<string, ZipEntry>
  ) {}

  static async open(src: ByteSource, maxEntries: number): Promise<ZipMembers> {
    const dir = await readZipDirectory(src, maxEntries);
    if (!dir) throw new ConvertError('no zip directory was found');
    if (dir.entries.length < dir.declaredEntries) {
      throw new ConvertError(
        `only ${dir.entries.length} of ${dir.declaredEntries} zip entries could be read`
      );
    }
    if (dir.problems.length > 0) throw new ConvertError(`the zip directory is damaged: ${dir.problems[0]}`);
    if (dir.prependedBytes > 0) {
      throw new ConvertError(
        `${dir.prependedBytes} bytes precede the zip archive, which loaders read differently`
      );
    }
    const entries = new Map<string, ZipEntry>();
    for (const entry of dir.entries) {
      if (entries.has(entry.name)) {
        throw new ConvertError(`the zip holds two members named ${JSON.stringify(entry.name.slice(0, 120))}`);
      }
      entries.set(entry.name, entry);
    }
    return new ZipMembers(src, entries);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** The member's bytes, stored or deflated; anything else (encrypted, other methods) is refused. */
  storage(name: string): StorageData {
    const entry = this.entries.get(name);
    if (!entry) throw new ConvertError(`the zip has no member ${JSON.stringify(name.slice(0, 120))}`);
    const label = JSON.stringify(name.slice(0, 120));
    if ((entry.flags | (entry.localFlags ?? 0)) & 0x41) {
      throw new ConvertError(`member ${label} is marked encrypted`);
    }
    if (entry.dataOffset < 0 || !(entry.dataOffset + entry.compressedSize <= this.src.size)) {
      throw new ConvertError(`member ${label} is truncated or has no readable local header`);
    }
    const raw = this.src.sub(entry.dataOffset, entry.compressedSize, name);
    if (entry.method === METHOD_STORED) {
      if (entry.compressedSize !== entry.uncompressedSize) {
        throw new ConvertError(`stored member ${label} declares two different sizes`);
      }
      return storedStorage(raw, entry.dataOffset);
    }
    if (entry.method === METHOD_DEFLATE) {
      return deflatedStorage(raw, entry.uncompressedSize, entry.dataOffset);
    }
    throw new ConvertError(`member ${label} uses compression method ${entry.method}, which is not converted`);
  }

  /** A small member (a pickle, a version file) as a random-access source. */
  async small(name: string, max = MAX_INFLATED_PICKLE): Promise<ByteSource> {
    const data = this.storage(name);
    if (data.random) return data.random;
    if (data.size > max) {
      throw new ConvertError(
        `member ${JSON.stringify(name.slice(0, 120))} inflates to more than ${max} bytes`
      );
    }
    return memorySource(await readRange(data, 0, data.size), name);
  }
}
