import { remoteSource, type RemoteSourceOptions } from '../bytes/remote-source';
import type { ByteSource } from '../bytes/byte-source';
import { hubUrls, type HubRef } from '../provenance/hub-ref';
import type { RemoteFile } from '../provenance/remote-file';
import type { FileBudget } from './budget';
import type { RangeFetcher, RemoteTarget } from './range-fetcher';

/** One Hub file opened for range reads, with what reading it has cost so far. */
export interface OpenedHubFile {
  source: ByteSource;
  /** Bytes downloaded for this file (all requests, cached reads not counted twice). */
  bytesFetched(): number;
  /** The first read a download limit refused, if any (the file then was not fully analysed). */
  refused(): Error | null;
  /** The first read that failed for any reason, limits included. */
  failed(): Error | null;
}

/**
 * Opens `file` at `commit` (always a full commit id, so every read sees the same bytes) as a ByteSource whose
 * reads are range requests, drawn from `budget`.
 */
export function openHubFile(
  fetcher: RangeFetcher,
  ref: Pick<HubRef, 'repoType' | 'repoId'>,
  commit: string,
  file: Pick<RemoteFile, 'path' | 'size'>,
  budget: FileBudget,
  options: RemoteSourceOptions & { signal?: AbortSignal } = {}
): OpenedHubFile {
  const target: RemoteTarget = {
    resolveUrl: hubUrls.resolve({ hub: fetcher.hub, ...ref }, commit, file.path),
    size: file.size,
    label: file.path,
    location: null
  };
  let fetched = 0;
  let refused: Error | null = null;
  let failed: Error | null = null;
  const source = remoteSource(
    file.path,
    file.size,
    async (start, end) => {
      try {
        budget.claim(end - start, start);
      } catch (err) {
        refused ??= err as Error;
        failed ??= err as Error;
        throw err;
      }
      try {
        const bytes = await fetcher.fetchRange(target, start, end, options.signal);
        fetched += bytes.length;
        return bytes;
      } catch (err) {
        budget.refund(end - start);
        failed ??= err as Error;
        throw err;
      }
    },
    options
  );
  return { source, bytesFetched: () => fetched, refused: () => refused, failed: () => failed };
}
