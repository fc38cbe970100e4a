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

/** Files found so far, handed over in batches so the page receives them a few hundred per task. */
export const WALK_BATCH = 250;

/**
 * Walks dropped handles (in a worker: the page's own folder API lists a folder of 10,000 files in one task of
 * seconds, measured), with the same rules as the page's walk: depth bound, unread entries, empty folders.
 */
export async function walkHandles(
  roots: readonly WalkNode[],
  onFiles: (files: PickedFile[]) => Promise<void> | void
): Promise<HandleWalkResult> {
  const out: HandleWalkResult = { unread: [], emptyFolders: [] };
  let batch: PickedFile[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    await onFiles(full);
  };
  const unread = (path: string, reason: string) => {
    out.unread.push({ path, reason });
    return 1;
  };

  async function walk(node: WalkNode, path: string, depth: number): Promise<number> {
    if (node.kind === 'file') {
      try {
        batch.push({ file: await node.getFile(), path });
        if (batch.length >= WALK_BATCH) await flush();
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
  await flush();
  return out;
}
