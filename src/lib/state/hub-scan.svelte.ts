import { formatBytes, DEFAULT_DOWNLOAD_LIMITS } from '../core/remote/budget';
import { hfUri, isHubTarget, parseHubTarget } from '../core/remote/hub-target';
import { HubRefError } from '../core/provenance/errors';
import { parseHubRef } from '../core/provenance/hub-ref';
import type { FetchLike } from '../core/provenance/hub-client';
import type { HubScanEvents, HubScanRequest, HubScanSummary } from '../workers/hub-scan-api';
import type { ScanSession } from './scan-session.svelte';

type Start = (
  request: HubScanRequest,
  events: HubScanEvents,
  fetch: FetchLike
) => { done: Promise<HubScanSummary>; cancel: () => void };

const MIB = 1024 * 1024;

/** "org/name", "hf://org/name@rev" or a Hub URL → the target the worker parses; throws HubRefError. */
export function normaliseTarget(text: string, revision: string): string {
  const trimmed = text.trim();
  const rev = revision.trim();
  const url = isHubTarget(trimmed);
  const ref = url ? parseHubTarget(trimmed) : parseHubRef(trimmed);
  // A URL without a revision override is passed on whole: it may name a folder or file inside the repo.
  return url && !rev ? trimmed : hfUri(ref, rev || ref.revision);
}

/**
 * "Scan on the Hub": lists a commit's files and scans them in place, filling rows of the shared session (so
 * the result is the same report as for dropped files, with exports and the registry). Nothing is requested
 * until the user starts it.
 */
export class HubScanState {
  source = $state('');
  revision = $state('');
  token = $state('');
  perFileMiB = $state(DEFAULT_DOWNLOAD_LIMITS.perFileBytes / MIB);
  totalMiB = $state(DEFAULT_DOWNLOAD_LIMITS.totalBytes / MIB);
  running = $state(false);
  error = $state('');
  commit = $state('');
  repoId = $state('');
  summary = $state.raw<HubScanSummary | null>(null);

  #cancel: (() => void) | null = null;
  #ids = new Map<string, number>();

  constructor(
    private readonly session: () => ScanSession,
    private readonly fetch: FetchLike,
    private readonly start: Start
  ) {}

  get summaryText(): string {
    const s = this.summary;
    if (!s) return '';
    const pct = s.totalSize > 0 ? ((s.bytesFetched / s.totalSize) * 100).toPrecision(2) : '0';
    return `${s.reports.length} file(s) at commit ${s.commit.slice(0, 12)}: downloaded ${formatBytes(s.bytesFetched)} of ${formatBytes(s.totalSize)} (${pct} %) in ${s.requests.requests} request(s).`;
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.error = '';
    this.summary = null;
    let target: string;
    try {
      target = normaliseTarget(this.source, this.revision);
    } catch (err) {
      this.error = err instanceof HubRefError ? err.message : String(err);
      return;
    }
    const perFile = Math.round(this.perFileMiB * MIB);
    const total = Math.round(this.totalMiB * MIB);
    if (!(perFile > 0 && total > 0)) {
      this.error = 'The download limits must be positive sizes.';
      return;
    }
    this.running = true;
    this.#ids = new Map();
    const session = this.session();
    const stop = () => this.cancel();
    const { done, cancel } = this.start(
      { target, token: this.token.trim() || null, limits: { perFileBytes: perFile, totalBytes: total } },
      {
        listed: (files, commit, repoId) => {
          this.commit = commit;
          this.repoId = repoId;
          const ids = session.addRemote(files, stop);
          files.forEach((f, i) => this.#ids.set(f.path, ids[i]));
        },
        started: (path) => {
          const id = this.#ids.get(path);
          if (id !== undefined) session.remoteStarted(id);
        }
      },
      this.fetch
    );
    this.#cancel = cancel;
    try {
      const summary = await done;
      for (const report of summary.reports) {
        const id = this.#ids.get(report.path);
        if (id !== undefined) session.remoteSettled(id, { report });
      }
      this.summary = summary;
    } catch (err) {
      this.error = (err as Error)?.message ?? String(err);
      for (const id of this.#ids.values()) session.remoteSettled(id, { error: this.error });
    } finally {
      this.running = false;
      this.#cancel = null;
      session.remoteEnded(stop);
    }
  }

  cancel(): void {
    if (!this.running) return;
    this.#cancel?.();
    this.#cancel = null;
    this.running = false;
    for (const id of this.#ids.values()) this.session().remoteSettled(id, 'cancelled');
  }
}
