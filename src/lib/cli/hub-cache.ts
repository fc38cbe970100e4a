// Files of a huggingface_hub cache, as the folder walk reports them: a snapshot entry under its snapshot name
// (models--ORG--REPO/snapshots/COMMIT/path) with the blob it links to as its link target, and a blob no
// snapshot links to as blobs/ID. Here each gets its repo, commit and repo path, and its content is checked
// against its blob id (the Hub's ETag); with --check-hub, each snapshot against the Hub listing of its commit.
import { resolve, sep } from 'node:path';
import { maxVerdict, type FileOrigin, type FileReport, type Finding } from '../core/findings';
import { HubClient } from '../core/provenance/hub-client';
import { isCommitSha, isValidRepoId, type RepoType } from '../core/provenance/hub-ref';
import { expectedFromRemote } from '../core/provenance/manifest';
import { matchFiles } from '../core/provenance/match';
import type { HubOptions } from './hub-args';
import { hubFailure, type HubEndpoints } from './hub-inputs';
import type { Io } from './io';

const BLOB_ID = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;
const REPO_TYPES: Record<string, RepoType> = { models: 'model', datasets: 'dataset', spaces: 'space' };
/** …/models--ORG--NAME/snapshots/COMMIT/repo/path, or …/models--ORG--NAME/blobs/ID. */
const CACHE_PATH = /(?:^|\/)(models|datasets|spaces)--([^/]+)\/(?:snapshots\/([^/]+)\/(.+)|blobs\/([^/]+))$/;

interface CachePlace {
  repoType: RepoType;
  repoId: string;
  /** Set for a snapshot entry whose folder is named by a commit id. */
  snapshot?: { commit: string; repoPath: string };
  blobId: string | null;
}

/** Where in a hub cache a walked file sits, from the path it was opened by (names are data: validated). */
function placeOf(fsPath: string, report: FileReport): CachePlace | null {
  const m = CACHE_PATH.exec(resolve(fsPath).split(sep).join('/'));
  if (!m) return null;
  const repoId = m[2].replaceAll('--', '/');
  if (!isValidRepoId(repoId)) return null;
  const base = { repoType: REPO_TYPES[m[1]], repoId };
  if (m[5] !== undefined) return { ...base, blobId: BLOB_ID.test(m[5]) ? m[5] : null };
  const target = report.facts?.['link target'];
  const linked = typeof target === 'string' ? /^blobs\/([^/]+)$/.exec(target)?.[1] : undefined;
  const blobId = linked !== undefined && BLOB_ID.test(linked) ? linked : null;
  if (!isCommitSha(m[3])) return { ...base, blobId };
  return { ...base, snapshot: { commit: m[3], repoPath: m[4] }, blobId };
}

function withFinding(report: FileReport, finding: Omit<Finding, 'format' | 'location'>): FileReport {
  const full: Finding = { ...finding, format: 'hub-cache', location: { path: [report.path] } };
  return {
    ...report,
    findings: [...report.findings, full],
    verdict: maxVerdict(report.verdict, full.severity)
  };
}

/** The blob's name is the Hub's ETag: the SHA-256 for LFS files, the git blob SHA-1 for the others. */
function blobMismatch(report: FileReport, blobId: string): Omit<Finding, 'format' | 'location'> | null {
  const actual = blobId.length === 64 ? report.sha256 : report.gitSha1;
  if (actual === blobId) return null;
  return {
    ruleId: 'hub-cache.blob-mismatch',
    severity: 'high',
    title: 'Cached content does not match its blob id',
    message: `The cache stores this file as blob ${blobId}, which is the ${blobId.length === 64 ? 'SHA-256' : 'git blob SHA-1'} the Hub gave for it, but the content hashes to ${actual}. The cache was altered after download.`,
    evidence: { details: { blobId, actual: actual ?? '' } }
  };
}

/**
 * Adds the hub cache origin (repo, commit, repo path, blob id) to the reports of files in a hub cache and a
 * finding where content and blob id differ; other reports pass through unchanged.
 */
export async function withHubCacheOrigins(
  reports: readonly FileReport[],
  fsPathOf: (path: string) => string | undefined,
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<FileReport[]> {
  const out = reports.map((report) => {
    const fsPath = fsPathOf(report.path);
    const place = fsPath === undefined ? null : placeOf(fsPath, report);
    if (!place) return report;
    const mismatch = place.blobId ? blobMismatch(report, place.blobId) : null;
    const checked = mismatch ? withFinding(report, mismatch) : report;
    if (!place.snapshot) return checked;
    const origin: FileOrigin = {
      kind: 'hub-cache',
      repoType: place.repoType,
      repoId: place.repoId,
      commit: place.snapshot.commit,
      repoPath: place.snapshot.repoPath,
      digests: 'computed',
      ...(place.blobId ? { blobId: place.blobId } : {})
    };
    return { ...checked, origin };
  });
  return options.checkHub ? checkAgainstHub(out, options, io, endpoints) : out;
}

/** Each cached snapshot against the Hub listing of its commit: files that differ or that the commit lacks. */
async function checkAgainstHub(
  reports: FileReport[],
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints
): Promise<FileReport[]> {
  const client = new HubClient({
    fetch: endpoints.fetch ?? globalThis.fetch,
    token: options.token,
    hub: endpoints.hub
  });
  const snapshotOf = (r: FileReport) =>
    r.origin?.kind === 'hub-cache' ? `${r.origin.repoType}:${r.origin.repoId}@${r.origin.commit}` : null;
  const snapshots = [...new Set(reports.map(snapshotOf).filter((s): s is string => s !== null))];
  const out = reports.slice();
  for (const snapshot of snapshots) {
    const indexes = out.flatMap((r, i) => (snapshotOf(r) === snapshot ? [i] : []));
    const { repoType, repoId, commit } = out[indexes[0]].origin!;
    const ref = { hub: client.hub, repoType, repoId, revision: commit, path: null, pathIsFile: false };
    let listed;
    try {
      listed = await client.listFiles(ref, commit);
    } catch (err) {
      throw hubFailure(`${repoId}@${commit.slice(0, 7)}`, err);
    }
    const local = indexes.map((i) => ({
      path: out[i].origin!.repoPath,
      size: out[i].size,
      sha256: out[i].sha256,
      gitSha1: out[i].gitSha1
    }));
    const match = matchFiles(expectedFromRemote(listed), local);
    for (const m of match.files) {
      const i = indexes.find((x) => out[x].origin!.repoPath === m.path);
      if (i === undefined) continue;
      if (m.status === 'mismatch')
        out[i] = withFinding(out[i], {
          ruleId: 'hub-cache.differs-from-hub',
          severity: 'high',
          title: 'Cached file differs from the Hub commit',
          message: `The Hub lists ${m.path} at ${commit.slice(0, 7)} with a different ${m.mismatch?.field ?? 'content'} (${m.mismatch?.expected ?? '?'}) than the cached file (${m.mismatch?.actual ?? '?'}).`,
          evidence: { details: { field: m.mismatch?.field ?? '', commit } }
        });
      else if (m.status === 'extra')
        out[i] = withFinding(out[i], {
          ruleId: 'hub-cache.not-in-commit',
          severity: 'medium',
          title: 'Cached file is not part of the Hub commit',
          message: `${m.path} is in the cached snapshot of ${commit.slice(0, 7)}, but the Hub lists no such file at that commit.`,
          evidence: { details: { commit } }
        });
    }
    io.err(
      `${repoId}@${commit.slice(0, 7)}: against the Hub listing, ${match.counts.verified} verified, ` +
        `${match.counts.mismatch} differ, ${match.counts.extra} not in the commit, ${match.counts.missing} not cached.`
    );
  }
  return out;
}
