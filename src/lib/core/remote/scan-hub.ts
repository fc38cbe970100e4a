import { HubClient, type FetchLike } from '../provenance/hub-client';
import type { HubRef } from '../provenance/hub-ref';
import type { RemoteFile } from '../provenance/remote-file';
import { hubDisplayPath } from './hub-target';
import { RangeFetcher, type FetchStats, type RetryPolicy } from './range-fetcher';
import { scanHubCommit, type CommitScanOptions, type CommitScanResult } from './scan-commit';
import type { Transport } from './transport';

export interface HubScanConnection {
  /** For the API (listing). */
  fetch: FetchLike;
  /** For file bytes (range reads). */
  transport: Transport;
  token?: string | null;
  /** Only tests set these two. */
  hub?: string;
  fileOrigins?: readonly string[];
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
}

export interface HubScanResult extends CommitScanResult {
  ref: HubRef;
  repoId: string;
  commit: string;
  files: RemoteFile[];
  requests: FetchStats;
}

/**
 * Resolves a Hub ref to its commit, lists the commit's files (with the Hub's own scan status) and scans them
 * in place. Reports are named `hf://ORG/REPO@COMMIT7/path`, so several repos can share one report.
 */
export async function scanOnHub(
  ref: HubRef,
  connection: HubScanConnection,
  options: CommitScanOptions & {
    onListed?: (files: RemoteFile[], commit: string, repoId: string) => void;
  } = {}
): Promise<HubScanResult> {
  const client = new HubClient({ fetch: connection.fetch, token: connection.token, hub: connection.hub });
  const target = { ...ref, hub: client.hub };
  const { repoId, commit } = await client.resolveRevision(target, options.signal);
  const canonical = { ...target, repoId };
  const listed = await client.listFiles(canonical, commit, {
    expand: true,
    path: ref.pathIsFile ? null : ref.path,
    signal: options.signal
  });
  const files = ref.pathIsFile ? listed.filter((f) => f.path === ref.path) : listed;
  options.onListed?.(files, commit, repoId);
  const fetcher = new RangeFetcher({
    transport: connection.transport,
    token: connection.token,
    hub: client.hub,
    fileOrigins: connection.fileOrigins,
    concurrency: connection.concurrency,
    retry: connection.retry
  });
  const result = await scanHubCommit(fetcher, canonical, commit, files, options);
  return {
    ...result,
    reports: result.reports.map((r) => {
      const path = hubDisplayPath(canonical, commit, r.path);
      const findings = r.findings.map((f) =>
        f.location.path[0] === r.path
          ? { ...f, location: { ...f.location, path: [path, ...f.location.path.slice(1)] } }
          : f
      );
      return { ...r, path, findings };
    }),
    ref: canonical,
    repoId,
    commit,
    files,
    requests: { ...fetcher.stats }
  };
}
