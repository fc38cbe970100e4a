import type { PickedFile, UnreadEntry } from '../state/file-job';

/** Guards against symlink loops and absurd trees when walking a dropped folder. */
export const MAX_DEPTH = 64;
/** `…/snapshots/<commit>` of a Hugging Face cache: nothing but symbolic links, which browsers leave out. */
export const HUB_SNAPSHOT = /(^|\/)snapshots\/[0-9a-f]{40}$/;

/** Why an entry of a dropped folder was not checked (each becomes an error row: nothing is skipped silently). */
export const UNREAD = {
  file: 'The browser could not read this file (permission denied, or it was moved), so it was not checked.',
  other: 'This entry is neither a file nor a folder; the browser could not read it.',
  deep: `Folders nested more than ${MAX_DEPTH} deep (a link loop?) were not read, so whatever is inside was not checked.`,
  list: 'The browser could not list this folder (permission denied?), so the files in it were not checked.',
  snapshot:
    'This Hugging Face cache snapshot looks empty to the browser: its files are symbolic links into the cache, which browsers do not follow. Drop the whole models--… folder (its blobs/ hold the files) or scan it with the command line.'
} as const;

/** The part of the File System Access handles the walk uses (FileSystemFileHandle / DirectoryHandle). */
export type WalkNode =
  | { kind: 'file'; name: string; getFile(): Promise<File> }
  | { kind: 'directory'; name: string; values(): AsyncIterable<WalkNode> };

export interface HandleWalkResult {
  unread: UnreadEntry[];
  emptyFolders: string[];
}

/**
 * Files are handed over in batches this small: the page spends about 0.3–0.5 ms taking each File out of a
 * message (measured: 250 Files = one 73–127 ms task), so each batch stays a short task.
 */
export const WALK_BATCH = 16;

/** Code-unit order of paths: the order a dropped folder's files are listed and queued in. */
export function sortByPath<T extends { path: string }>(files: T[]): T[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Walks dropped handles (in a worker: the page's own folder API lists a folder of 10,000 files in one task of
 * seconds, measured), with the same rules as the page's walk: depth bound, unread entries, empty folders.
 * The files are sorted here (10,000 paths cost the page about 30 ms) and handed over in order, in batches.
 */
export async function walkHandles(
  roots: readonly WalkNode[],
  onFiles: (files: PickedFile[]) => Promise<void> | void
): Promise<HandleWalkResult> {
  const out: HandleWalkResult = { unread: [], emptyFolders: [] };
  const files: PickedFile[] = [];
  const unread = (path: string, reason: string) => {
    out.unread.push({ path, reason });
    return 1;
  };

  async function walk(node: WalkNode, path: string, depth: number): Promise<number> {
    if (node.kind === 'file') {
      try {
        const file = await node.getFile();
        files.push({ file, path, size: file.size });
        return 1;
      } catch {
        return unread(path, UNREAD.file);
      }
    }
    if (node.kind !== 'directory') return unread(path, UNREAD.other);
    if (depth > MAX_DEPTH) return unread(path, UNREAD.deep);
    let found = 0;
    try {
      for await (const child of node.values()) found += await walk(child, `${path}/${child.name}`, depth + 1);
    } catch {
      found += unread(path, UNREAD.list);
    }
    if (found === 0 && HUB_SNAPSHOT.test(path)) return unread(path, UNREAD.snapshot);
    if (found === 0) out.emptyFolders.push(path);
    return found;
  }

  for (const root of roots) await walk(root, root.name, 0);
  sortByPath(files);
  for (let i = 0; i < files.length; i += WALK_BATCH) await onFiles(files.slice(i, i + WALK_BATCH));
  return out;
}
