import { callback, connect } from './comlink';
import type { PickedFile } from '../state/file-job';
import type { HandleWalkResult, WalkNode } from './drop-walk';

type WalkApi = {
  walk(roots: WalkNode[], onFiles: (files: PickedFile[]) => void): Promise<HandleWalkResult>;
};

/** Chromium's DataTransferItem.getAsFileSystemHandle (not yet in TypeScript's DOM types). */
type WithHandle = DataTransferItem & { getAsFileSystemHandle?: () => Promise<FileSystemHandle | null> };

/** Started synchronously in the drop handler (the DataTransfer is emptied afterwards); null where unsupported. */
export function takeDropHandles(data: DataTransfer): Promise<FileSystemHandle | null>[] | null {
  const items: WithHandle[] = Array.from(data.items).filter((item) => item.kind === 'file');
  if (items.length === 0 || typeof Worker === 'undefined') return null;
  if (!items.every((item) => typeof item.getAsFileSystemHandle === 'function')) return null;
  return items.map((item) => item.getAsFileSystemHandle!());
}

/**
 * Walks the dropped folders in a worker; null when the browser cannot (a handle missing, the worker failed), so
 * the caller walks them on the page instead. Nothing is kept from a failed walk.
 */
export async function walkOffThread(
  handles: Promise<FileSystemHandle | null>[]
): Promise<(HandleWalkResult & { files: PickedFile[] }) | null> {
  let roots: FileSystemHandle[];
  try {
    const resolved = await Promise.all(handles);
    if (resolved.some((h) => h === null)) return null;
    roots = resolved as FileSystemHandle[];
  } catch {
    return null;
  }
  const worker = new Worker(new URL('./folder-walk.worker.ts', import.meta.url), { type: 'module' });
  const { api, crashed, terminate } = connect<WalkApi>(
    worker,
    (message) => new Error(`the folder walk worker stopped (${message || 'no message'})`)
  );
  const files: PickedFile[] = [];
  try {
    const walked = api
      .walk(
        roots as unknown as WalkNode[],
        callback((batch: PickedFile[]) => void files.push(...batch))
      )
      .catch(() => null);
    // A worker that dies is a walk that did not happen: the caller falls back to the page's own walk.
    const result = await Promise.race([walked, crashed.catch(() => null)]);
    return result && { ...result, files };
  } finally {
    terminate();
  }
}
