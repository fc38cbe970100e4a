import { untrack } from 'svelte';
import {
  captureFromHub,
  compareWithHub,
  expectedFromManifest,
  expectedFromRemote,
  HubClient,
  inTotoStatement,
  manifestFromCapture,
  matchFiles,
  parseHubRef,
  shareLink,
  toYaml,
  type FetchLike,
  type HubCapture,
  type HubDrift,
  type LocalLayout,
  type Manifest
} from '../core/provenance';
import type { FileJob } from './file-job';
import { localView, matchRows, mayHoldHubLayout } from './provenance-local';
import { problemOf, type ProblemView } from './provenance-problem';
import type { ProvenanceWorkerApi } from '../workers/provenance-api';
import { triageInputs } from './triage-inputs.svelte';

export type { ProblemView };

export const TOKEN_STORAGE_KEY = 'safeload.hf-token';

export type Activity = 'idle' | 'fetching' | 'comparing';

/** What the dropped files are checked against. */
export type Reference =
  | { kind: 'hub'; capture: HubCapture }
  | { kind: 'manifest'; manifest: Manifest; from: 'file' | 'link'; name: string };

export interface ProvenanceDeps {
  /** The dropped files (the shared ScanSession's jobs). */
  jobs: () => readonly FileJob[];
  fetch: FetchLike;
  /** Reads dropped files in a worker; created lazily on first use. */
  worker: () => Pick<ProvenanceWorkerApi, 'detectLayout' | 'readManifest' | 'decodeLink'>;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Computes the git blob SHA-1 of dropped files hashed without one (ScanSession.requestGitSha1). */
  requestGitSha1?: (droppedPaths: string[]) => void;
}

function isAbort(err: unknown): boolean {
  return (err as { name?: unknown })?.name === 'AbortError';
}

/**
 * Provenance page state: the source to fetch, the reference the drop is checked against (a Hub capture or a
 * loaded manifest, else a recognised local layout), the per-file match and the exportable manifest.
 */
export class ProvenanceState {
  source = $state('');
  revision = $state('');
  activity = $state<Activity>('idle');
  problem = $state.raw<ProblemView | null>(null);
  reference = $state.raw<Reference | null>(null);
  layout = $state.raw<LocalLayout | null>(null);
  layoutProblem = $state('');
  drift = $state.raw<HubDrift | null>(null);
  /** The sealed manifest of the current Hub capture, with the statuses of the current match. */
  capturedManifest = $state.raw<Manifest | null>(null);
  /** Polite status line for screen readers. */
  announcement = $state('');

  #token = $state('');
  #remember = $state(false);
  #controller: AbortController | null = null;
  #lastAction: (() => Promise<void>) | null = null;
  #manifestVersion = 0;
  #manifestKey = '';
  #layoutVersion = 0;
  #layoutKey = '';

  readonly expected = $derived.by(() => {
    const ref = this.reference;
    if (ref?.kind === 'hub') return expectedFromRemote(ref.capture.files);
    if (ref?.kind === 'manifest') return expectedFromManifest(ref.manifest);
    return this.layout?.expected ?? null;
  });
  readonly view = $derived.by(() => localView(this.deps.jobs(), this.layout, this.expected));
  readonly match = $derived(this.expected ? matchFiles(this.expected, this.view.local) : null);
  readonly rows = $derived(this.match ? matchRows(this.match.files, this.view) : []);
  /** The manifest on screen: the capture's, or the one loaded from a file or link. */
  readonly manifest = $derived(
    this.reference?.kind === 'manifest' ? this.reference.manifest : this.capturedManifest
  );

  constructor(private readonly deps: ProvenanceDeps) {
    const saved = deps.storage?.getItem(TOKEN_STORAGE_KEY) ?? '';
    if (saved) {
      this.#token = saved;
      this.#remember = true;
    }
  }

  get token(): string {
    return this.#token;
  }
  set token(value: string) {
    this.#token = value;
    if (this.#remember) this.deps.storage?.setItem(TOKEN_STORAGE_KEY, value);
  }

  /** Opt-in: keep the token in this tab's sessionStorage (cleared when the tab closes). */
  get rememberToken(): boolean {
    return this.#remember;
  }
  set rememberToken(on: boolean) {
    this.#remember = on;
    if (on && this.#token) this.deps.storage?.setItem(TOKEN_STORAGE_KEY, this.#token);
    else this.deps.storage?.removeItem(TOKEN_STORAGE_KEY);
  }

  get busy(): boolean {
    return this.activity !== 'idle';
  }

  /** Starts the effects that follow the dropped files; returns the cleanup. */
  connect(): () => void {
    return $effect.root(() => {
      // The registry and policy pages read the latest provenance check from here.
      $effect(() => {
        const manifest = this.manifest;
        const match = this.match;
        if (manifest && match) triageInputs.provenance = { manifest, match };
      });
      // Large files are hashed without a git blob SHA-1; when the reference lists only that hash, compute it.
      $effect(() => {
        const view = this.view;
        const wanted = this.rows
          .filter((r) => r.needs === 'git-blob-sha1' && !r.readError)
          .map((r) => view.droppedPath.get(r.path) ?? r.path);
        if (wanted.length > 0) untrack(() => this.deps.requestGitSha1?.(wanted));
      });
      $effect(() => {
        const jobs = this.deps.jobs();
        const key = `${jobs.length}:${jobs.at(-1)?.id ?? 0}`;
        if (key === this.#layoutKey) return;
        this.#layoutKey = key;
        void this.#detectLayout(jobs);
      });
      $effect(() => {
        const ref = this.reference;
        const match = this.match;
        const view = this.view;
        const downloadedAt = this.layout?.downloadedAt ?? null;
        if (ref?.kind !== 'hub') {
          this.capturedManifest = null;
          this.#manifestKey = '';
          return;
        }
        // Hashing progress re-runs this effect every frame; rebuild only when a status changes.
        const key = `${ref.capture.commit}|${ref.capture.capturedAt}|${view.local.length}|${
          match?.files.map((f) => f.status).join(',') ?? ''
        }|${downloadedAt}`;
        if (key === this.#manifestKey) return;
        this.#manifestKey = key;
        const version = ++this.#manifestVersion;
        const verification =
          match && view.local.length > 0 ? { match, local: view.local, downloadedAt } : undefined;
        manifestFromCapture(ref.capture, verification).then(
          (m) => {
            if (version === this.#manifestVersion) this.capturedManifest = m;
          },
          (err) => (this.problem = problemOf(err))
        );
      });
    });
  }

  async #detectLayout(jobs: readonly FileJob[]): Promise<void> {
    if (!mayHoldHubLayout(jobs.map((j) => j.path))) {
      this.#layoutVersion++;
      this.layout = null;
      return;
    }
    const entries = jobs.flatMap((j) => (j.file ? [{ path: j.path, size: j.size, file: j.file }] : []));
    const version = ++this.#layoutVersion;
    try {
      const layout = await this.deps.worker().detectLayout(entries);
      if (version !== this.#layoutVersion) return;
      this.layout = layout;
      this.layoutProblem = '';
      if (!layout) return;
      if (!this.source && layout.repoId)
        this.source = `${layout.repoType === 'model' || !layout.repoType ? '' : `${layout.repoType}s/`}${layout.repoId}`;
      if (!this.revision && layout.commit) this.revision = layout.commit;
    } catch (err) {
      this.layoutProblem = `The Hugging Face metadata in the drop could not be read: ${problemOf(err).message}`;
    }
  }

  #client(): HubClient {
    return new HubClient({ fetch: this.deps.fetch, token: this.#token || null });
  }

  async #run(activity: Activity, action: (signal: AbortSignal) => Promise<void>): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.activity = activity;
    this.problem = null;
    try {
      await action(controller.signal);
    } catch (err) {
      if (!isAbort(err)) {
        this.problem = problemOf(err);
        this.announcement = this.problem.message;
      }
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.activity = 'idle';
      }
    }
  }

  /** The only action besides "compare" that makes a request, and only to the Hub. */
  fetchFromHub(): Promise<void> {
    const action = () =>
      this.#run('fetching', async (signal) => {
        const ref = parseHubRef(this.source, this.revision);
        const capture = await captureFromHub(this.#client(), ref, { signal });
        this.reference = { kind: 'hub', capture };
        this.drift = null;
        this.announcement = `Fetched ${capture.repoId} at commit ${capture.commit.slice(0, 7)}: ${capture.files.length} files.`;
      });
    this.#lastAction = action;
    return action();
  }

  /** "Compare with the Hub now": has the revision moved, which files changed since the manifest. */
  compareWithHub(): Promise<void> {
    const manifest = this.manifest;
    if (!manifest) return Promise.resolve();
    const action = () =>
      this.#run('comparing', async (signal) => {
        this.drift = await compareWithHub(this.#client(), manifest, { signal });
        this.announcement = this.drift.revisionMoved
          ? 'The revision has moved since the manifest was made.'
          : 'Compared with the Hub.';
      });
    this.#lastAction = action;
    return action();
  }

  retry(): Promise<void> {
    return this.#lastAction?.() ?? Promise.resolve();
  }

  cancel(): void {
    this.#controller?.abort();
  }

  async loadManifestFile(file: File): Promise<void> {
    this.problem = null;
    try {
      const manifest = await this.deps.worker().readManifest(file);
      this.#useManifest(manifest, 'file', file.name);
    } catch (err) {
      this.problem = problemOf(err);
      this.announcement = this.problem.message;
    }
  }

  /** Opens a `#m=` share link (the fragment or a whole URL), decoded in the worker; no request is made. */
  async openLink(urlOrFragment: string): Promise<void> {
    this.problem = null;
    try {
      this.#useManifest(await this.deps.worker().decodeLink(urlOrFragment), 'link', 'share link');
    } catch (err) {
      this.problem = problemOf(err);
      this.announcement = this.problem.message;
    }
  }

  #useManifest(manifest: Manifest, from: 'file' | 'link', name: string): void {
    this.reference = { kind: 'manifest', manifest, from, name };
    this.drift = null;
    const s = manifest.source;
    if (s.repoId) this.source = `${s.repoType === 'model' ? '' : `${s.repoType}s/`}${s.repoId}`;
    this.revision = s.requestedRevision ?? '';
    this.announcement = `Loaded a manifest of ${manifest.files.length} files${s.repoId ? ` from ${s.repoId}` : ''}.`;
  }

  shareLink(pageUrl: string): string {
    return this.manifest ? shareLink(pageUrl, this.manifest) : '';
  }

  exports(): { json: string; yaml: string; inToto: string; baseName: string } | null {
    const m = this.manifest;
    if (!m) return null;
    const repo = (m.source.repoId ?? 'local').replace(/[^A-Za-z0-9._-]+/g, '_');
    const commit = m.source.resolvedCommit?.slice(0, 7) ?? 'unknown';
    return {
      json: `${JSON.stringify(m, null, 2)}\n`,
      yaml: toYaml(m),
      inToto: `${JSON.stringify(inTotoStatement(m), null, 2)}\n`,
      baseName: `${repo}@${commit}`
    };
  }
}
