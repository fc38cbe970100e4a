// `safeload scan|gate` on a Hub repo read in place (hf://ORG/REPO[@REV], https://huggingface.co/…) and on a
// hub cache folder (models--ORG--REPO) reported by repo path. Called from scan-command.ts and gate-command.ts.
import { lstat, mkdir, mkdtemp, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { inputKindOf } from '../core/deps/names';
import { DownloadBudget } from '../core/remote/budget';
import { openHubFile } from '../core/remote/hub-file';
import { RangeFetcher } from '../core/remote/range-fetcher';
import type { SignatureInput } from '../core/triage/signature';
import { formatBytes } from '../core/remote/budget';
import { isHubTarget, parseHubTarget } from '../core/remote/hub-target';
import { scanOnHub, type HubScanResult } from '../core/remote/scan-hub';
import { fetchTransport } from '../core/remote/transport';
import { maxVerdict, type FileReport, type Finding } from '../core/findings';
import { HubClient, type FetchLike } from '../core/provenance/hub-client';
import { HubError } from '../core/provenance/hub-error';
import { HubRefError, isCommitSha, isValidRepoId } from '../core/provenance/hub-ref';
import { matchFiles } from '../core/provenance/match';
import { expectedFromRemote } from '../core/provenance/manifest';
import { MultiHasher } from '../core/hash/multi-digest';
import { terminalText } from '../core/report/escape';
import { analyseFile } from '../node/analyse-file';
import { UsageError } from './args';
import type { HubOptions } from './hub-args';
import type { Io } from './io';

export { isHubTarget };

/** Where the Hub is; only tests pass their emulator here. */
export interface HubEndpoints {
  hub?: string;
  fileOrigins?: readonly string[];
  fetch?: FetchLike;
}

/** Extra lines under a file in the text report: what was read in place, and whose digests these are. */
export function originLines(report: FileReport): string[] {
  const o = report.origin;
  if (!o) return [];
  if (o.kind === 'hub-cache')
    return [
      `         hub cache ${o.repoId}@${o.commit.slice(0, 7)} ${o.repoPath} (blob ${o.blobId ?? 'none'})`
    ];
  const pct = report.size > 0 ? ` (${(((o.bytesFetched ?? 0) / report.size) * 100).toPrecision(2)} %)` : '';
  return [
    `         read in place: ${formatBytes(o.bytesFetched ?? 0)} of ${formatBytes(report.size)}${pct}; ` +
      (o.digests === 'computed'
        ? 'digests computed here'
        : `sha256 ${report.sha256 ? 'from the Hub listing, not computed' : 'not available (not downloaded)'}`) +
      `; Hub scan: ${o.hubSecurityStatus ?? 'not reported'}`
  ];
}

function hubFailure(target: string, err: unknown): Error {
  if (err instanceof HubRefError) return new UsageError(`${target}: ${err.message}`);
  if (err instanceof HubError) return new Error(`${target}: ${err.message}`);
  return err as Error;
}

export async function scanHubTarget(
  target: string,
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<HubScanResult> {
  let ref;
  try {
    ref = parseHubTarget(target);
  } catch (err) {
    throw hubFailure(target, err);
  }
  const platformFetch = endpoints.fetch ?? globalThis.fetch;
  try {
    const result = await scanOnHub(
      ref,
      {
        fetch: platformFetch,
        transport: fetchTransport(platformFetch),
        token: options.token,
        hub: endpoints.hub,
        fileOrigins: endpoints.fileOrigins
      },
      { limits: options.limits }
    );
    const pct = result.totalSize > 0 ? ((result.bytesFetched / result.totalSize) * 100).toPrecision(2) : '0';
    io.err(
      `${target}: commit ${result.commit}, ${result.files.length} file(s) scanned in place; downloaded ` +
        `${formatBytes(result.bytesFetched)} of ${formatBytes(result.totalSize)} (${pct} %) in ${result.requests.requests} request(s).`
    );
    return result;
  } catch (err) {
    throw hubFailure(target, err);
  }
}

// ---- hub cache folders ----

const CACHE_FOLDER = /^(models|datasets|spaces)--(.+)$/;
const BLOB_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/** The repo id a cache folder's name gives, when it is a valid one (the name is data: nothing else is used). */
function cacheRepoId(path: string): string | null {
  const id = CACHE_FOLDER.exec(basename(resolve(path)))?.[2].replaceAll('--', '/');
  return id !== undefined && isValidRepoId(id) ? id : null;
}

/**
 * A folder laid out as huggingface_hub's cache of one repo: models--ORG--NAME/{blobs,snapshots,refs}. One whose
 * name is no valid repo id is walked as a plain folder.
 */
export async function isHubCacheFolder(path: string): Promise<boolean> {
  if (cacheRepoId(path) === null) return false;
  try {
    return (await stat(join(path, 'snapshots'))).isDirectory();
  } catch {
    return false;
  }
}

interface CacheFile {
  commit: string;
  repoPath: string;
  /** The content to read: a blob (the snapshot entry is a link to it) or the entry itself. */
  fsPath: string;
  blobId: string | null;
}

async function snapshotFiles(repoDir: string, problems: string[]): Promise<CacheFile[]> {
  const blobsDir = await realpath(join(repoDir, 'blobs')).catch(() => null);
  const files: CacheFile[] = [];
  const commits = (await readdir(join(repoDir, 'snapshots'))).sort();
  for (const commit of commits) {
    if (!isCommitSha(commit)) {
      problems.push(`snapshots/${commit}: not a commit id`);
      continue;
    }
    const root = join(repoDir, 'snapshots', commit);
    const visit = async (dir: string): Promise<void> => {
      for (const name of (await readdir(dir)).sort()) {
        const fsPath = join(dir, name);
        const repoPath = relative(root, fsPath).split(sep).join('/');
        const info = await lstat(fsPath);
        if (info.isDirectory()) await visit(fsPath);
        else if (info.isSymbolicLink()) {
          const real = await realpath(fsPath).catch(() => null);
          const blobId = real ? basename(real) : '';
          if (!real || !blobsDir || relative(blobsDir, real) !== blobId || !BLOB_ID.test(blobId))
            problems.push(`snapshots/${commit}/${repoPath}: link does not point to a blob of this repo`);
          else files.push({ commit, repoPath, fsPath: real, blobId });
        } else if (info.isFile()) files.push({ commit, repoPath, fsPath, blobId: null });
        else problems.push(`snapshots/${commit}/${repoPath}: not a regular file`);
      }
    };
    await visit(root);
  }
  return files;
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
 * Scans a hub cache folder by repo path: every file of every snapshot once (the blob it links to), each
 * checked against its blob id; with --check-hub, each snapshot against the Hub listing of its commit.
 */
export async function scanHubCache(
  folder: string,
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<{ reports: FileReport[]; problems: string[] }> {
  const label = folder.replace(/\/+$/, '') || folder;
  const m = CACHE_FOLDER.exec(basename(resolve(folder)))!;
  const repoType = ({ models: 'model', datasets: 'dataset', spaces: 'space' } as const)[m[1] as 'models'];
  const repoId = cacheRepoId(folder)!;
  const problems: string[] = [];
  const files = await snapshotFiles(folder, problems);
  const hasher = await MultiHasher.create();
  let reports: FileReport[] = [];
  for (const f of files) {
    const displayPath = `${label}/snapshots/${f.commit}/${f.repoPath}`;
    let report = await analyseFile(f.fsPath, displayPath, { hasher });
    const mismatch = f.blobId ? blobMismatch(report, f.blobId) : null;
    if (mismatch) report = withFinding(report, mismatch);
    reports.push({
      ...report,
      origin: {
        kind: 'hub-cache',
        repoType,
        repoId,
        commit: f.commit,
        repoPath: f.repoPath,
        digests: 'computed',
        ...(f.blobId ? { blobId: f.blobId } : {})
      }
    });
  }
  // Blobs no snapshot links to are still content a loader could be pointed at.
  const linked = new Set(files.map((f) => f.blobId));
  const blobNames = await readdir(join(folder, 'blobs')).catch(() => [] as string[]);
  for (const name of blobNames.sort()) {
    if (linked.has(name)) continue;
    const fsPath = join(folder, 'blobs', name);
    if (!(await lstat(fsPath)).isFile()) continue;
    let report = await analyseFile(fsPath, `${label}/blobs/${name}`, { hasher });
    const mismatch = BLOB_ID.test(name) ? blobMismatch(report, name) : null;
    if (mismatch) report = withFinding(report, mismatch);
    reports.push(report);
  }
  if (options.checkHub) reports = await checkAgainstHub(reports, repoType, repoId, options, io, endpoints);
  return { reports, problems };
}

async function checkAgainstHub(
  reports: FileReport[],
  repoType: 'model' | 'dataset' | 'space',
  repoId: string,
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints
): Promise<FileReport[]> {
  const client = new HubClient({
    fetch: endpoints.fetch ?? globalThis.fetch,
    token: options.token,
    hub: endpoints.hub
  });
  const commits = [...new Set(reports.map((r) => r.origin?.commit).filter((c): c is string => !!c))];
  const out = reports.slice();
  for (const commit of commits) {
    const ref = { hub: client.hub, repoType, repoId, revision: commit, path: null, pathIsFile: false };
    let listed;
    try {
      listed = await client.listFiles(ref, commit);
    } catch (err) {
      throw hubFailure(`${repoId}@${commit.slice(0, 7)}`, err);
    }
    const indexes = out.flatMap((r, i) => (r.origin?.commit === commit ? [i] : []));
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

/**
 * Takes the Hub targets and hub cache folders out of scan's inputs and scans them; the rest are plain paths
 * for the folder walk. A target that cannot be read at all is an error (exit 2), like a missing path.
 */
export async function scanHubInputs(
  inputs: readonly string[],
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<{ reports: FileReport[]; localPaths: string[]; failed: boolean }> {
  const reports: FileReport[] = [];
  const localPaths: string[] = [];
  let failed = false;
  for (const input of inputs) {
    try {
      if (isHubTarget(input)) reports.push(...(await scanHubTarget(input, options, io, endpoints)).reports);
      else if (await isHubCacheFolder(input)) {
        const cache = await scanHubCache(input, options, io, endpoints);
        for (const p of cache.problems) io.err(terminalText(`safeload: ${input}: ${p}`));
        failed ||= cache.problems.length > 0;
        reports.push(...cache.reports);
      } else localPaths.push(input);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      io.err(terminalText(`safeload: ${(err as Error).message}`));
      failed = true;
    }
  }
  return { reports, localPaths, failed };
}

/** The Hub repo as the gate needs it: scan reports, plus its small text files on disk for the other steps. */
export interface HubGateInput {
  result: HubScanResult;
  /** A temporary folder holding the repo's model card and dependency files, as `openDrop` would give. */
  root: string;
  files: Map<string, string>;
  signature: SignatureInput;
  cleanup(): Promise<void>;
}

const MAX_TEXT_FILE = 4 * 1024 * 1024;

export async function openHubGate(
  target: string,
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<HubGateInput> {
  const result = await scanHubTarget(target, options, io, endpoints);
  const root = await mkdtemp(join(tmpdir(), 'safeload-hub-'));
  const files = new Map<string, string>();
  const platformFetch = endpoints.fetch ?? globalThis.fetch;
  const fetcher = new RangeFetcher({
    transport: fetchTransport(platformFetch),
    token: options.token,
    hub: endpoints.hub,
    fileOrigins: endpoints.fileOrigins
  });
  const budget = new DownloadBudget({ perFileBytes: MAX_TEXT_FILE, totalBytes: 64 * MAX_TEXT_FILE });
  try {
    const wanted = result.files.filter(
      (f) => f.size <= MAX_TEXT_FILE && (f.path.toLowerCase() === 'readme.md' || inputKindOf(f.path) !== null)
    );
    for (const f of wanted.slice(0, 64)) {
      const opened = openHubFile(fetcher, result.ref, result.commit, f, budget.forFile());
      const fsPath = join(root, ...f.path.split('/'));
      await mkdir(dirname(fsPath), { recursive: true });
      await writeFile(fsPath, await opened.source.read(0, f.size));
      files.set(f.path, fsPath);
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw hubFailure(target, err);
  }
  const signed = result.files.some((f) => f.path === 'model.sig');
  return {
    result,
    root,
    files,
    signature: signed
      ? {
          present: true,
          error:
            'model.sig is on the Hub, but verifying it needs every file downloaded and hashed; it was not checked in place'
        }
      : { present: false },
    cleanup: () => rm(root, { recursive: true, force: true })
  };
}
