import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource } from '../core/bytes/byte-source';
import type { OutputTarget } from '../core/convert/convert';
import type { ByteSink } from '../core/convert/writer';
import { openFileSource } from './file-source';

/**
 * Writes conversion outputs into a folder under temporary names; `commit` renames them into place only
 * after they verified, `discard` removes them. Nothing half-written ever carries the final name.
 */
export class FolderTarget implements OutputTarget {
  private readonly temps = new Map<string, string>();
  private readonly readers: (() => Promise<void>)[] = [];

  constructor(readonly dir: string) {}

  private tempPath(name: string): string {
    return join(this.dir, `.${name}.partial-${process.pid}`);
  }

  async open(name: string): Promise<ByteSink> {
    const path = this.tempPath(name);
    this.temps.set(name, path);
    const handle: FileHandle = await open(path, 'w');
    let position = 0;
    return {
      async write(chunk) {
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
          done += bytesWritten;
        }
        position += chunk.length;
      },
      close: () => handle.close(),
      async abort() {
        await handle.close().catch(() => undefined);
        await rm(path, { force: true });
      }
    };
  }

  async reopen(name: string): Promise<ByteSource | undefined> {
    const path = this.temps.get(name);
    if (!path) return undefined;
    const { source, close } = await openFileSource(path, name);
    this.readers.push(close);
    return source;
  }

  private async closeReaders(): Promise<void> {
    await Promise.all(this.readers.splice(0).map((close) => close().catch(() => undefined)));
  }

  /** Final paths, in the order the files were written. */
  async commit(): Promise<string[]> {
    await this.closeReaders();
    const out: string[] = [];
    for (const [name, temp] of this.temps) {
      await rename(temp, join(this.dir, name));
      out.push(join(this.dir, name));
    }
    this.temps.clear();
    return out;
  }

  async discard(): Promise<void> {
    await this.closeReaders();
    await Promise.all([...this.temps.values()].map((p) => rm(p, { force: true })));
    this.temps.clear();
  }
}
