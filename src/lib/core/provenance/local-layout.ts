import { isCommitSha, isValidRepoId, type RepoType } from './hub-ref';
import type { ExpectedFile } from './match';

/** Recognises what huggingface_hub leaves on disk, so a dropped folder alone can be checked. */

export interface DroppedEntry {
  /** Path as dropped, "/"-separated. */
  path: string;
  size: number;
}

/** Reads a small metadata file of the drop as text (the caller bounds it by `maxBytes`). */
export type ReadText = (path: string, maxBytes: number) => Promise<string>;

export interface LocalLayout {
  kind: 'local-dir' | 'hub-cache';
  /** Dropped-path prefix of the repo root ("" or ending in "/"). */
  root: string;
  repoType: RepoType | null;
  repoId: string | null;
  /** The commit the files were downloaded from (the most common one if they differ). */
  commit: string | null;
  /** Distinct commits seen (more than one means a mixed download). */
  commits: string[];
  /** Branch → commit from a cache's refs/. */
  refs: Record<string, string>;
  expected: ExpectedFile[];
  /** Whether `expected` is the commit's full listing (trees/<commit>.json) or only the files seen. */
  completeListing: boolean;
  /** Repo path → dropped path holding its bytes (cache blobs, or the file itself). */
  contentPaths: Record<string, string>;
  /** Latest download timestamp recorded in .metadata files. */
  downloadedAt: string | null;
  notes: string[];
}

const MAX_METADATA_BYTES = 4096;
const MAX_TREE_JSON_BYTES = 32 * 1024 * 1024;
const MAX_METADATA_FILES = 100_000;
const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const LOCAL_DIR_MARK = '.cache/huggingface/';
const REPO_FOLDER = /^(models|datasets|spaces)--(.+)$/;
/** Snapshot files up to this size are read: a link saved as text, or small content to tell same-size blobs apart. */
const MAX_LINK_BYTES = 4096;
const MAX_COMPARED_BLOBS = 64;
/** A symlink that a copy turned into a text file holding its target (git with symlinks off, some archivers). */
const SYMLINK_TEXT = /^(?:\.\.\/)+blobs\/([0-9a-f]{40}|[0-9a-f]{64})\s*$/;

function expectedFromEtag(path: string, etag: string, size: number | null): ExpectedFile {
  return HEX64.test(etag)
    ? { path, size, sha256: etag, gitBlobSha1: null, gitBlobOf: null }
    : { path, size, sha256: null, gitBlobSha1: etag, gitBlobOf: 'content' };
}

/** `trees/<commit>.json` (huggingface_hub ≥ 1.22): every file of the commit with size and ids. */
export function parseTreeCache(text: string): ExpectedFile[] {
  const doc = JSON.parse(text) as unknown;
  if (typeof doc !== 'object' || doc === null || (doc as { format_version?: unknown }).format_version !== 1)
    throw new Error('not a format_version 1 tree listing');
  const files = (doc as { files?: unknown }).files;
  if (typeof files !== 'object' || files === null) throw new Error('no files object');
  const out: ExpectedFile[] = [];
  for (const [path, raw] of Object.entries(files as Record<string, unknown>)) {
    const e = raw as Record<string, unknown>;
    const size = typeof e?.size === 'number' && Number.isSafeInteger(e.size) && e.size >= 0 ? e.size : null;
    const blob = typeof e?.blob_id === 'string' && HEX40.test(e.blob_id) ? e.blob_id : null;
    const lfs = typeof e?.lfs_sha256 === 'string' && HEX64.test(e.lfs_sha256) ? e.lfs_sha256 : null;
    out.push({
      path,
      size,
      sha256: lfs,
      gitBlobSha1: blob,
      gitBlobOf: blob ? (lfs ? 'lfs-pointer' : 'content') : null
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** `<commit>\n<etag>\n<unix timestamp>\n` written by `hf download --local-dir`. */
export function parseDownloadMetadata(
  text: string
): { commit: string; etag: string; timestamp: number } | null {
  const [commit, etag, ts] = text.split('\n').map((l) => l.trim());
  if (!isCommitSha(commit) || !(HEX40.test(etag ?? '') || HEX64.test(etag ?? ''))) return null;
  const timestamp = Number(ts);
  return { commit, etag, timestamp: Number.isFinite(timestamp) ? timestamp : NaN };
}

function mostCommon(list: string[]): string | null {
  const n = new Map<string, number>();
  for (const x of list) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

async function readLocalDir(entries: DroppedEntry[], root: string, read: ReadText): Promise<LocalLayout> {
  const metaDir = `${root}${LOCAL_DIR_MARK}download/`;
  const notes: string[] = [];
  const expected = new Map<string, ExpectedFile>();
  const commits: string[] = [];
  const contentPaths: Record<string, string> = {};
  let latest = NaN;
  const metadataFiles = entries.filter((e) => e.path.startsWith(metaDir) && e.path.endsWith('.metadata'));
  for (const e of metadataFiles.slice(0, MAX_METADATA_FILES)) {
    const repoPath = e.path.slice(metaDir.length, -'.metadata'.length);
    const meta = parseDownloadMetadata(await read(e.path, MAX_METADATA_BYTES));
    if (!meta) {
      notes.push(`${e.path} is not a valid download metadata file; ignored.`);
      continue;
    }
    commits.push(meta.commit);
    expected.set(repoPath, expectedFromEtag(repoPath, meta.etag, null));
    contentPaths[repoPath] = `${root}${repoPath}`;
    if (!(meta.timestamp <= latest)) latest = meta.timestamp;
  }
  if (metadataFiles.length > MAX_METADATA_FILES)
    notes.push(`Only the first ${MAX_METADATA_FILES} metadata files were read.`);
  const commit = mostCommon(commits);
  const distinct = [...new Set(commits)];
  if (distinct.length > 1)
    notes.push(
      `Files were downloaded from ${distinct.length} different commits; ${commit} is the most common.`
    );
  let completeListing = false;
  const tree = entries.find((e) => e.path === `${root}${LOCAL_DIR_MARK}trees/${commit}.json`);
  if (tree && commit) {
    try {
      for (const f of parseTreeCache(await read(tree.path, MAX_TREE_JSON_BYTES))) {
        const fromMeta = expected.get(f.path);
        expected.set(f.path, { ...f, sha256: f.sha256 ?? fromMeta?.sha256 ?? null });
        contentPaths[f.path] ??= `${root}${f.path}`;
      }
      completeListing = true;
    } catch (err) {
      notes.push(
        `${tree.path} could not be read (${(err as Error).message}); only files with metadata are checked.`
      );
    }
  }
  return {
    kind: 'local-dir',
    root,
    repoType: null,
    repoId: null,
    commit,
    commits: distinct,
    refs: {},
    expected: [...expected.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    completeListing,
    contentPaths,
    downloadedAt: Number.isFinite(latest) ? new Date(latest * 1000).toISOString() : null,
    notes: [
      ...notes,
      'The repo id is not stored by a --local-dir download: enter it to compare with the Hub.'
    ]
  };
}

async function readHubCache(
  entries: DroppedEntry[],
  root: string,
  folder: string,
  read: ReadText
): Promise<LocalLayout> {
  const m = REPO_FOLDER.exec(folder)!;
  const repoType = ({ models: 'model', datasets: 'dataset', spaces: 'space' } as const)[m[1] as 'models'];
  const folderId = m[2].replaceAll('--', '/');
  // The folder name is dropped data: only a valid repo id is carried on (to the Hub, a manifest, a command).
  const repoId = isValidRepoId(folderId) ? folderId : null;
  const notes: string[] = repoId
    ? []
    : [`The cache folder ${JSON.stringify(folder.slice(0, 120))} does not name a valid Hub repo id.`];
  const refs: Record<string, string> = {};
  for (const e of entries.filter((x) => x.path.startsWith(`${root}refs/`))) {
    const text = (await read(e.path, 256)).trim();
    if (isCommitSha(text)) refs[e.path.slice(`${root}refs/`.length)] = text;
  }
  const snapshotCommits = [
    ...new Set(
      entries
        .map((e) => /^snapshots\/([0-9a-f]{40})\//.exec(e.path.slice(root.length))?.[1])
        .filter((c): c is string => c !== undefined)
    )
  ];
  const commit =
    refs.main ?? Object.values(refs)[0] ?? (snapshotCommits.length === 1 ? snapshotCommits[0] : null);
  if (snapshotCommits.length > 1)
    notes.push(`The cache holds ${snapshotCommits.length} snapshots; checking ${commit}.`);
  const blobs = new Map<string, DroppedEntry>();
  for (const e of entries) {
    const name = e.path.slice(root.length);
    if (/^blobs\/([0-9a-f]{40}|[0-9a-f]{64})$/.test(name)) blobs.set(name.slice('blobs/'.length), e);
  }
  const expected = new Map<string, ExpectedFile>();
  const contentPaths: Record<string, string> = {};
  /** Blobs that a snapshot file read through its symlink was identified with. */
  const linked = new Set<string>();
  const snapshotDir = `${root}snapshots/${commit}/`;
  let unidentified = 0;
  for (const e of entries.filter((x) => commit && x.path.startsWith(snapshotDir))) {
    const repoPath = e.path.slice(snapshotDir.length);
    const text = e.size <= MAX_LINK_BYTES ? await read(e.path, MAX_LINK_BYTES) : null;
    const link = text === null ? null : SYMLINK_TEXT.exec(text);
    if (link) {
      expected.set(repoPath, expectedFromEtag(repoPath, link[1], null));
      const blob = blobs.get(link[1]);
      if (blob) contentPaths[repoPath] = blob.path;
      continue;
    }
    // A real symlink read through (browsers and Node follow it) or a copy (symlinks disabled): the entry holds
    // the bytes. Its blob is the one with the same bytes; hashing then proves it or reports a mismatch.
    contentPaths[repoPath] = e.path;
    const etag = await sameBytesBlob(e, text, blobs, read);
    if (etag) {
      expected.set(repoPath, expectedFromEtag(repoPath, etag, e.size));
      linked.add(blobs.get(etag)!.path);
    } else {
      expected.set(repoPath, {
        path: repoPath,
        size: null,
        sha256: null,
        gitBlobSha1: null,
        gitBlobOf: null
      });
      unidentified++;
    }
  }
  let completeListing = false;
  const tree = entries.find((e) => e.path === `${root}trees/${commit}.json`);
  if (tree) {
    try {
      for (const f of parseTreeCache(await read(tree.path, MAX_TREE_JSON_BYTES))) {
        expected.set(f.path, f);
        // Browsers may not list symlinks: find the content by its blob name instead.
        const blob =
          blobs.get(f.sha256 ?? '') ??
          (f.gitBlobOf === 'content' ? blobs.get(f.gitBlobSha1 ?? '') : undefined);
        if (blob) contentPaths[f.path] ??= blob.path;
      }
      completeListing = true;
    } catch (err) {
      notes.push(`${tree.path} could not be read (${(err as Error).message}).`);
    }
  }
  if (commit && !entries.some((e) => e.path.startsWith(snapshotDir)) && blobs.size > 0)
    notes.push(
      `No file of snapshots/${commit}/ was listed (browsers skip symbolic links, which the cache uses there): ` +
        `its blobs are checked by their own names. Compare with the Hub to check the files by repo path.`
    );
  const stillUnknown = [...expected.values()].filter((f) => f.sha256 === null && f.gitBlobSha1 === null);
  if (unidentified > 0 && stillUnknown.length > 0)
    notes.push(
      `${stillUnknown.length} snapshot file(s) could not be matched to a blob of the cache and no listing of ` +
        `the commit names them: compare with the Hub to verify them.`
    );
  // Each blob's name is its own expected hash: the cache is self-verifying even without a listing.
  const referenced = new Set([...Object.values(contentPaths), ...linked]);
  for (const [etag, blob] of blobs)
    if (!referenced.has(blob.path)) {
      const path = `blobs/${etag}`;
      expected.set(path, expectedFromEtag(path, etag, null));
      contentPaths[path] = blob.path;
    }
  return {
    kind: 'hub-cache',
    root,
    repoType,
    repoId,
    commit,
    commits: commit ? [commit] : [],
    refs,
    expected: [...expected.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    completeListing,
    contentPaths,
    downloadedAt: null,
    notes
  };
}

/**
 * The blob holding the same bytes as a snapshot file that is not a link text: the only blob of its size, or
 * among several, the one whose (small) content reads the same. Null when no blob, or no single blob, fits.
 */
async function sameBytesBlob(
  file: DroppedEntry,
  text: string | null,
  blobs: ReadonlyMap<string, DroppedEntry>,
  read: ReadText
): Promise<string | null> {
  const sameSize = [...blobs].filter(([, b]) => b.size === file.size);
  if (sameSize.length <= 1) return sameSize[0]?.[0] ?? null;
  if (text === null) return null;
  const same: string[] = [];
  for (const [etag, b] of sameSize.slice(0, MAX_COMPARED_BLOBS))
    if ((await read(b.path, MAX_LINK_BYTES)) === text) same.push(etag);
  return same.length === 1 ? same[0] : null;
}

/** Returns the recognised layout of a drop, or null when it is a plain folder. */
export async function detectLocalLayout(
  entries: DroppedEntry[],
  read: ReadText
): Promise<LocalLayout | null> {
  const marked = entries
    .map((e) => ({ e, at: e.path.indexOf(LOCAL_DIR_MARK) }))
    .filter(({ e, at }) => at === 0 || (at > 0 && e.path[at - 1] === '/'))
    .sort((a, b) => a.at - b.at)[0];
  if (
    marked &&
    entries.some((e) => e.path.startsWith(`${marked.e.path.slice(0, marked.at)}${LOCAL_DIR_MARK}download/`))
  )
    return readLocalDir(entries, marked.e.path.slice(0, marked.at), read);
  for (const e of entries) {
    const parts = e.path.split('/');
    const at = parts.findIndex(
      (p, i) => REPO_FOLDER.test(p) && ['refs', 'blobs', 'snapshots'].includes(parts[i + 1] ?? '')
    );
    if (at !== -1) return readHubCache(entries, `${parts.slice(0, at + 1).join('/')}/`, parts[at], read);
  }
  return null;
}
