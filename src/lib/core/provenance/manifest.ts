import { sha256 } from 'hash-wasm';
import { SAFELOAD_VERSION } from '../version';
import { canonicalJson } from './canonical-json';
import type { ApiCall, CommitInfo } from './hub-client';
import { hubUrls, purlFor, type HubRef, type RepoType } from './hub-ref';
import type { ExpectedFile, MatchStatus } from './match';
import type { RemoteFile } from './remote-file';
import type { RepoFacts } from './repo-facts';

export const MANIFEST_SCHEMA = 'https://safeload.dev/schemas/hf-provenance-manifest';
export const MANIFEST_SCHEMA_VERSION = 1;
/** How `digest.value` is computed: SHA-256 over the RFC 8785 (JCS) form of the manifest without `digest`. */
export const MANIFEST_CANONICALIZATION = 'RFC8785-JCS, digest member removed';

export type FileStatus = MatchStatus | 'not-checked';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string | null;
  /** Where sha256 comes from: the Hub's LFS oid, or local hashing of a file that matched its git blob id. */
  sha256Source: 'hub-lfs' | 'local' | null;
  gitBlobSha1: string | null;
  gitBlobOf: 'content' | 'lfs-pointer' | null;
  lfs: boolean;
  xetHash?: string;
  lastCommit?: { id: string; title: string; date: string };
  securityStatus?: string;
  status: FileStatus;
}

export interface ManifestSource {
  kind: 'hub' | 'local-metadata';
  hub: string;
  repoType: RepoType;
  repoId: string | null;
  /** What the user asked for (null = default branch). */
  requestedRevision: string | null;
  resolvedCommit: string | null;
  purl: string | null;
  /** Hub API calls made for this capture, with status and SHA-256 of each response body. */
  endpoints: ApiCall[];
}

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  tool: { name: 'safeload'; version: string };
  source: ManifestSource;
  capturedAt: string;
  downloadedAt: string | null;
  /** Whether a token was used; the token itself is never recorded. */
  authenticated: boolean;
  lastCommit: CommitInfo | null;
  repo: RepoFacts | null;
  files: ManifestFile[];
  /** Local files seen that the commit does not contain. */
  extraLocalFiles: string[];
  digest: { algorithm: 'sha256'; canonicalization: typeof MANIFEST_CANONICALIZATION; value: string };
}

export type ManifestBody = Omit<Manifest, 'digest'>;

export interface HubCapture {
  ref: HubRef;
  /** Canonical repo id reported by the Hub. */
  repoId: string;
  commit: string;
  facts: RepoFacts;
  lastCommit: CommitInfo | null;
  files: RemoteFile[];
  calls: ApiCall[];
  capturedAt: string;
  authenticated: boolean;
}

export async function manifestDigest(body: ManifestBody | Manifest): Promise<string> {
  const { digest: _omit, ...rest } = body as Manifest;
  return sha256(canonicalJson(rest));
}

export async function sealManifest(body: ManifestBody): Promise<Manifest> {
  const value = await manifestDigest(body);
  return { ...body, digest: { algorithm: 'sha256', canonicalization: MANIFEST_CANONICALIZATION, value } };
}

export function expectedFromRemote(files: readonly RemoteFile[]): ExpectedFile[] {
  return files.map((f) => ({
    path: f.path,
    size: f.size,
    sha256: f.sha256,
    gitBlobSha1: f.gitBlobSha1,
    gitBlobOf: f.lfs ? 'lfs-pointer' : 'content'
  }));
}

export function expectedFromManifest(m: Manifest): ExpectedFile[] {
  return m.files.map((f) => ({
    path: f.path,
    size: f.size,
    sha256: f.sha256,
    gitBlobSha1: f.gitBlobSha1,
    gitBlobOf: f.gitBlobOf
  }));
}

function manifestFile(remote: RemoteFile): ManifestFile {
  return {
    path: remote.path,
    size: remote.size,
    sha256: remote.sha256,
    sha256Source: remote.sha256 ? 'hub-lfs' : null,
    gitBlobSha1: remote.gitBlobSha1,
    gitBlobOf: remote.lfs ? 'lfs-pointer' : 'content',
    lfs: remote.lfs !== null,
    ...(remote.xetHash ? { xetHash: remote.xetHash } : {}),
    ...(remote.lastCommit ? { lastCommit: remote.lastCommit } : {}),
    ...(remote.securityStatus ? { securityStatus: remote.securityStatus } : {}),
    status: 'not-checked'
  };
}

/**
 * The manifest of a Hub capture: the claim (what the Hub listed for the commit), sealed. It holds nothing
 * about local files, so its digest stays the same however many files are dropped and checked against it;
 * the local check is a separate result (see `matchFiles`).
 */
export async function manifestFromCapture(capture: HubCapture): Promise<Manifest> {
  const ref = { ...capture.ref, repoId: capture.repoId };
  return sealManifest({
    schema: MANIFEST_SCHEMA,
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'safeload', version: SAFELOAD_VERSION },
    source: {
      kind: 'hub',
      hub: capture.ref.hub,
      repoType: capture.ref.repoType,
      repoId: capture.repoId,
      requestedRevision: capture.ref.revision,
      resolvedCommit: capture.commit,
      purl: purlFor(ref, capture.commit),
      endpoints: capture.calls.map((c) => ({ ...c }))
    },
    capturedAt: capture.capturedAt,
    downloadedAt: null,
    authenticated: capture.authenticated,
    lastCommit: capture.lastCommit,
    repo: capture.facts,
    files: capture.files.map(manifestFile),
    extraLocalFiles: []
  });
}

/** Links an analyst can open to see the same commit on the Hub. */
export function manifestLinks(m: Manifest): {
  repo: string | null;
  tree: string | null;
  commit: string | null;
} {
  const s = m.source;
  if (!s.repoId) return { repo: null, tree: null, commit: null };
  const ref = { hub: s.hub, repoType: s.repoType, repoId: s.repoId };
  return {
    repo: hubUrls.repo(ref),
    tree: s.resolvedCommit ? hubUrls.tree(ref, s.resolvedCommit) : null,
    commit: s.resolvedCommit ? hubUrls.commit(ref, s.resolvedCommit) : null
  };
}
