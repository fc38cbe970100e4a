import { blobSource, type ByteSource } from '../core/bytes/byte-source';
import type { OutputTarget } from '../core/convert/convert';
import type { ByteSink } from '../core/convert/writer';
import type { ConvertDestination } from './convert-api';

/** The OPFS folder converted files wait in until they are downloaded. */
export const OPFS_FOLDER = 'safeload-convert';

export async function opfsFolder(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(OPFS_FOLDER, { create: true });
}

/** A file the user picked: written through a FileSystemWritableFileStream (committed on close). */
function pickedTarget(handle: FileSystemFileHandle): OutputTarget {
  return {
    async open(): Promise<ByteSink> {
      const writable = await handle.createWritable();
      return {
        write: (chunk) => writable.write(chunk as Uint8Array<ArrayBuffer>),
        close: () => writable.close(),
        abort: () => writable.abort()
      };
    },
    async reopen(name): Promise<ByteSource> {
      return blobSource(await handle.getFile(), name);
    }
  };
}

/** FileSystemSyncAccessHandle (dedicated workers only; not in the DOM typings this project compiles with). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

function syncAccess(handle: FileSystemFileHandle): Promise<SyncAccessHandle> {
  return (
    handle as unknown as { createSyncAccessHandle(): Promise<SyncAccessHandle> }
  ).createSyncAccessHandle();
}

/** A file in the origin-private file system, written with a synchronous access handle (worker only). */
function opfsTarget(fileName: string): OutputTarget {
  return {
    async open(): Promise<ByteSink> {
      const folder = await opfsFolder();
      const handle = await folder.getFileHandle(fileName, { create: true });
      const access = await syncAccess(handle);
      access.truncate(0);
      let at = 0;
      return {
        async write(chunk) {
          let done = 0;
          while (done < chunk.length) {
            const n = access.write(chunk.subarray(done), { at: at + done });
            if (n <= 0) throw new Error('the browser stopped accepting data (its private storage is full)');
            done += n;
          }
          at += chunk.length;
        },
        async close() {
          access.flush();
          access.close();
        },
        async abort() {
          access.close();
          await folder.removeEntry(fileName).catch(() => undefined);
        }
      };
    },
    async reopen(name): Promise<ByteSource> {
      const folder = await opfsFolder();
      return blobSource(await (await folder.getFileHandle(fileName)).getFile(), name);
    }
  };
}

export function destinationTarget(destination: ConvertDestination): OutputTarget {
  return destination.kind === 'picked' ? pickedTarget(destination.handle) : opfsTarget(destination.name);
}
