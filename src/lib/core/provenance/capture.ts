import { HubClient } from './hub-client';
import { HubError } from './errors';
import type { HubRef } from './hub-ref';
import type { HubCapture } from './manifest';

export interface CaptureOptions {
  /** Per-file last commit and Hub scan status (tree `expand=true`: 50 entries a page instead of 1000). */
  expand?: boolean;
  signal?: AbortSignal;
  now?: () => Date;
}

/**
 * Resolves the revision to a commit, reads the repo facts, lists every file at that commit and reads the
 * commit itself. Everything after the first call is pinned to the commit, so a branch moving mid-capture
 * cannot mix two states.
 */
export async function captureFromHub(
  client: HubClient,
  ref: HubRef,
  options: CaptureOptions = {}
): Promise<HubCapture> {
  const capturedAt = (options.now ?? (() => new Date()))().toISOString();
  const { commit, facts } = await client.repoInfo(ref, options.signal);
  const canonical = { ...ref, repoId: facts.repoId };
  const listed = await client.listFiles(canonical, commit, {
    expand: options.expand,
    path: ref.pathIsFile ? null : ref.path,
    signal: options.signal
  });
  // A /blob or /resolve URL names one file: verify that file, not the whole repo.
  const files = ref.pathIsFile ? listed.filter((f) => f.path === ref.path) : listed;
  if (ref.pathIsFile && files.length === 0)
    throw new HubError(
      'HUB_ENTRY_NOT_FOUND',
      `${ref.path} does not exist in ${facts.repoId} at ${commit.slice(0, 7)}.`,
      404
    );
  let lastCommit = null;
  try {
    lastCommit = await client.commitInfo(canonical, commit, options.signal);
  } catch (err) {
    // The commit details are informative; the listing above is what verification relies on.
    if (!(err instanceof HubError) || err.code === 'HUB_OFFLINE' || err.code === 'HUB_NETWORK') throw err;
  }
  return {
    ref,
    repoId: facts.repoId,
    commit,
    facts,
    lastCommit,
    files,
    calls: client.calls.map((c) => ({ ...c })),
    capturedAt,
    authenticated: client.authenticated
  };
}
