import { ManifestError } from './errors';
import type { HubClient } from './hub-client';
import { isCommitSha } from './hub-ref';
import type { Manifest } from './manifest';
import type { RemoteFile } from './remote-file';

export interface HubDrift {
  checkedAt: string;
  requestedRevision: string | null;
  capturedCommit: string | null;
  currentCommit: string;
  /** The branch or tag now points elsewhere (never true for a pinned commit). */
  revisionMoved: boolean;
  changed: { path: string; captured: string; now: string }[];
  added: string[];
  removed: string[];
  unchanged: number;
}

function identity(f: { size: number; sha256: string | null; gitBlobSha1: string | null }): string {
  // The tree oid changes whenever content (or, for LFS, the pointer's sha256/size) changes.
  return `${f.size}:${f.gitBlobSha1 ?? f.sha256 ?? '?'}`;
}

/** "Compare with the Hub now": where the captured revision points today and which files differ since capture. */
export async function compareWithHub(
  client: HubClient,
  m: Manifest,
  options: { signal?: AbortSignal; now?: () => Date } = {}
): Promise<HubDrift> {
  const s = m.source;
  if (!s.repoId)
    throw new ManifestError(
      'MANIFEST_NO_REPO',
      'This manifest names no repo, so there is nothing to compare on the Hub.'
    );
  const ref = {
    hub: s.hub,
    repoType: s.repoType,
    repoId: s.repoId,
    revision: s.requestedRevision,
    path: null,
    pathIsFile: false
  };
  const checkedAt = (options.now ?? (() => new Date()))().toISOString();
  const { commit } = await client.resolveRevision(ref, options.signal);
  const moved = s.resolvedCommit !== null && commit !== s.resolvedCommit;
  const base: HubDrift = {
    checkedAt,
    requestedRevision: s.requestedRevision,
    capturedCommit: s.resolvedCommit,
    currentCommit: commit,
    revisionMoved: moved && !isCommitSha(s.requestedRevision),
    changed: [],
    added: [],
    removed: [],
    unchanged: m.files.length
  };
  // A commit is immutable: same commit, same files.
  if (!moved) return base;
  const now = new Map<string, RemoteFile>(
    (await client.listFiles(ref, commit, { signal: options.signal })).map((f) => [f.path, f])
  );
  const captured = new Map(m.files.map((f) => [f.path, f]));
  base.unchanged = 0;
  for (const f of m.files) {
    const current = now.get(f.path);
    if (!current) base.removed.push(f.path);
    else if (identity(current) !== identity(f))
      base.changed.push({ path: f.path, captured: identity(f), now: identity(current) });
    else base.unchanged++;
  }
  for (const p of now.keys()) if (!captured.has(p)) base.added.push(p);
  base.added.sort();
  return base;
}
