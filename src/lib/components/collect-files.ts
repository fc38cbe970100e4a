import type { PickedFile, UnreadEntry } from '../state/file-job';
import { HUB_SNAPSHOT, MAX_DEPTH, sortByPath, UNREAD } from '../workers/drop-walk';

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function relative(fullPath: string): string {
  return fullPath.replace(/^\/+/, '');
}

export interface CollectResult {
  files: PickedFile[];
  /** Entries that could not be read (permission, vanished, too deep, not a file): each becomes an error row. */
  unread: UnreadEntry[];
  /** Folders that contained no files at all. */
  emptyFolders: string[];
}

function unread(out: CollectResult, entry: FileSystemEntry, reason: string): number {
  out.unread.push({ path: relative(entry.fullPath), reason });
  return 1;
}

async function walk(entry: FileSystemEntry, depth: number, out: CollectResult): Promise<number> {
  if (entry.isFile) {
    try {
      out.files.push({ file: await entryFile(entry as FileSystemFileEntry), path: relative(entry.fullPath) });
      return 1;
    } catch {
      return unread(out, entry, UNREAD.file);
    }
  }
  if (!entry.isDirectory) {
    return unread(out, entry, UNREAD.other);
  }
  if (depth > MAX_DEPTH) {
    return unread(out, entry, UNREAD.deep);
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  let found = 0;
  // readEntries returns at most ~100 entries per call; keep reading until it returns an empty batch.
  for (;;) {
    let batch: FileSystemEntry[];
    try {
      batch = await readBatch(reader);
    } catch {
      found += unread(out, entry, UNREAD.list);
      break;
    }
    if (batch.length === 0) break;
    // Siblings are resolved together: each entry.file() is a round trip to the browser process.
    const counts = await Promise.all(batch.map((child) => walk(child, depth + 1, out)));
    found += counts.reduce((a, b) => a + b, 0);
  }
  if (found === 0 && HUB_SNAPSHOT.test(entry.fullPath)) {
    return unread(out, entry, UNREAD.snapshot);
  }
  if (found === 0) out.emptyFolders.push(relative(entry.fullPath));
  return found;
}

/**
 * Files from a drop, walking folders. Entries must be taken synchronously inside the drop handler
 * (the DataTransfer is emptied afterwards), so callers pass the result of `takeDropEntries`.
 */
export async function collectDropped(items: DropItem[]): Promise<CollectResult> {
  const out: CollectResult = { files: [], unread: [], emptyFolders: [] };
  for (const item of items) {
    if (item.entry?.isDirectory) await walk(item.entry, 0, out);
    else if (item.file) out.files.push({ file: item.file, path: pathOf(item.file, item.entry) });
    else if (item.entry) await walk(item.entry, 0, out);
  }
  sortByPath(out.files);
  return out;
}

export interface DropItem {
  entry: FileSystemEntry | null;
  file: File | null;
}

export function takeDropEntries(data: DataTransfer): DropItem[] {
  const items: DropItem[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    items.push({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() });
  }
  if (items.length === 0) for (const file of Array.from(data.files)) items.push({ entry: null, file });
  return items;
}

function pathOf(file: File, entry: FileSystemEntry | null): string {
  return file.webkitRelativePath || (entry ? relative(entry.fullPath) : '') || file.name;
}

/** Files from an <input type="file"> (with or without webkitdirectory). */
export function collectPicked(list: FileList | null): PickedFile[] {
  return Array.from(list ?? [], (file) => ({ file, path: file.webkitRelativePath || file.name }));
}
