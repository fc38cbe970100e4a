import { untrack } from 'svelte';
import { isAbortError } from '../core/cancel';
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
import type { ManifestForm } from '../core/provenance/manifest-document';
import type { KnownKey, ManifestSignature } from '../core/provenance/manifest-signature';
import { signedManifestBundle } from '../core/provenance/signed-manifest';
import { keyFingerprint } from '../core/signing/key-fingerprint';
import { onlyBlocks, toPem } from '../core/signing/pem';
import type { FileJob } from './file-job';
import { localView, matchRows, mayHoldHubLayout } from './provenance-local';
import { problemOf, type ProblemView } from './provenance-problem';
import type { OpenedManifest, ProvenanceWorkerApi } from '../workers/provenance-api';
import { triageInputs } from './triage-inputs.svelte';

export type { ProblemView };

export const TOKEN_STORAGE_KEY = 'safeload.hf-token';

export type Activity = 'idle' | 'fetching' | 'comparing';

/** What the dropped files are checked against. */
export type Reference =
  | { kind: 'hub'; capture: HubCapture }
  | {
      kind: 'manifest';
      manifest: Manifest;
      from: 'file' | 'link';
      name: string;
      form: ManifestForm;
      signature: ManifestSignature;
      /** Where it was opened from, to check its signature again once another key is trusted. */
      origin: File | string;
    };

/** A signature attached to the manifest on screen: made here with the analyst's key, or one that verified. */
export interface Seal {
  /** The manifest digest it belongs to: another manifest is unsigned. */
  digest: string;
  signature: Uint8Array;
  publicKey: Uint8Array;
  fingerprint: string;
}

/** Signs the PAE of a manifest's statement with the analyst's key (see SigningKeys). */
export type ManifestSigner = (
  manifest: Manifest
) => Promise<{ signature: Uint8Array; publicKey: Uint8Array }>;

export interface ProvenanceDeps {
  /** The dropped files (the shared ScanSession's jobs). */
  jobs: () => readonly FileJob[];
  fetch: FetchLike;
  /** Reads dropped files in a worker; created lazily on first use. */
  worker: () => Pick<ProvenanceWorkerApi, 'detectLayout' | 'readManifest' | 'openLink'>;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Computes the git blob SHA-1 of dropped files hashed without one (ScanSession.requestGitSha1). */
  requestGitSha1?: (droppedPaths: string[]) => void;
  /** Public keys this browser knows (the analyst's own and the ones they trust), to check signatures. */
  keys?: () => readonly KnownKey[];
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
  /** The sealed manifest of the current Hub capture: the claim only, so its digest never changes with drops. */
  capturedManifest = $state.raw<Manifest | null>(null);
  seal = $state.raw<Seal | null>(null);
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
  /** The local check: only once files are dropped (before that nothing is "missing", nothing was checked). */
  readonly match = $derived(
    this.expected && this.view.local.length > 0 ? matchFiles(this.expected, this.view.local) : null
  );
  readonly rows = $derived(this.match ? matchRows(this.match.files, this.view) : []);
  /** The manifest on screen: the capture's, or the one loaded from a file or link. */
  readonly manifest = $derived(
    this.reference?.kind === 'manifest' ? this.reference.manifest : this.capturedManifest
  );
  /** The signature attached to the manifest on screen, if any. */
  readonly currentSeal = $derived(
    this.seal && this.manifest && this.seal.digest === this.manifest.digest.value ? this.seal : null
  );
  /** Who vouches for the manifest on screen: nobody (unsigned), the analyst, or the signer it came with. */
  readonly signature: ManifestSignature = $derived.by(() => {
    const seal = this.currentSeal;
    const loaded = this.reference?.kind === 'manifest' ? this.reference.signature : null;
    // A signature that does not verify stays on screen whatever happens next.
    if (loaded?.state === 'invalid') return loaded;
    if (seal) {
      const own = this.#knownAs(seal.fingerprint);
      return {
        state: 'verified',
        fingerprint: seal.fingerprint,
        knownAs: own,
        publicKeyPem: toPem('PUBLIC KEY', seal.publicKey)
      };
    }
    return loaded ?? { state: 'unsigned' };
  });

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
        const signature = this.signature;
        if (manifest && match) triageInputs.provenance = { manifest, match, signature };
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
        if (ref?.kind !== 'hub') {
          this.capturedManifest = null;
          this.#manifestKey = '';
          return;
        }
        // The manifest is the capture's claim: made once per capture, whatever is dropped.
        const key = `${ref.capture.commit}|${ref.capture.capturedAt}`;
        if (key === this.#manifestKey) return;
        this.#manifestKey = key;
        const version = ++this.#manifestVersion;
        manifestFromCapture(ref.capture).then(
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
      if (!isAbortError(err)) {
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

  #knownKeys(): KnownKey[] {
    // Plain objects only: the list crosses into the worker.
    return (this.deps.keys?.() ?? []).map((k) => ({ label: k.label, publicKeyPem: k.publicKeyPem }));
  }

  #knownAs(fingerprint: string): string | null {
    for (const k of this.deps.keys?.() ?? []) {
      try {
        if (keyFingerprint(onlyBlocks(k.publicKeyPem, 'PUBLIC KEY', 'key')[0]) === fingerprint)
          return k.label;
      } catch {
        // an unusable key names nobody
      }
    }
    return null;
  }

  async loadManifestFile(file: File): Promise<void> {
    this.problem = null;
    try {
      const opened = await this.deps.worker().readManifest(file, this.#knownKeys());
      this.#useManifest(opened, 'file', file.name, file);
    } catch (err) {
      this.problem = problemOf(err);
      this.announcement = this.problem.message;
    }
  }

  /** Opens a `#m=` share link (the fragment or a whole URL), decoded in the worker; no request is made. */
  async openLink(urlOrFragment: string): Promise<void> {
    this.problem = null;
    try {
      const opened = await this.deps.worker().openLink(urlOrFragment, this.#knownKeys());
      this.#useManifest(opened, 'link', 'share link', urlOrFragment);
    } catch (err) {
      this.problem = problemOf(err);
      this.announcement = this.problem.message;
    }
  }

  /** Checks the loaded manifest's signature again, with the keys known now (after trusting another key). */
  async recheckSignature(): Promise<void> {
    const ref = this.reference;
    if (ref?.kind !== 'manifest' || ref.form !== 'signed') return;
    if (typeof ref.origin === 'string') await this.openLink(ref.origin);
    else await this.loadManifestFile(ref.origin);
  }

  /** Signs the manifest on screen with the analyst's key; the exports and the share link carry the signature. */
  async sign(signer: ManifestSigner): Promise<void> {
    const manifest = this.manifest;
    if (!manifest) return;
    this.problem = null;
    try {
      const { signature, publicKey } = await signer(manifest);
      this.seal = {
        digest: manifest.digest.value,
        signature,
        publicKey,
        fingerprint: keyFingerprint(publicKey)
      };
      this.announcement = 'Signed the manifest with your key.';
    } catch (err) {
      this.problem = problemOf(err);
      this.announcement = this.problem.message;
    }
  }

  #useManifest(opened: OpenedManifest, from: 'file' | 'link', name: string, origin: File | string): void {
    const { manifest, form, signature, seal } = opened;
    this.reference = { kind: 'manifest', manifest, from, name, form, signature, origin };
    this.seal = seal
      ? { digest: manifest.digest.value, ...seal, fingerprint: keyFingerprint(seal.publicKey) }
      : null;
    this.drift = null;
    const s = manifest.source;
    if (s.repoId) this.source = `${s.repoType === 'model' ? '' : `${s.repoType}s/`}${s.repoId}`;
    this.revision = s.requestedRevision ?? '';
    this.announcement = `Loaded a manifest of ${manifest.files.length} files${s.repoId ? ` from ${s.repoId}` : ''}.`;
  }

  shareLink(pageUrl: string): string {
    if (!this.manifest) return '';
    const seal = this.currentSeal;
    return shareLink(
      pageUrl,
      this.manifest,
      seal ? { signature: seal.signature, publicKey: seal.publicKey } : undefined
    );
  }

  exports(): {
    json: string;
    yaml: string;
    inToto: string;
    signed: string | null;
    publicKeyPem: string | null;
    baseName: string;
  } | null {
    const m = this.manifest;
    if (!m) return null;
    const repo = (m.source.repoId ?? 'local').replace(/[^A-Za-z0-9._-]+/g, '_');
    const commit = m.source.resolvedCommit?.slice(0, 7) ?? 'unknown';
    const seal = this.currentSeal;
    return {
      json: `${JSON.stringify(m, null, 2)}\n`,
      yaml: toYaml(m, 'Safeload provenance manifest (unsigned claim; its digest only detects damage)'),
      inToto: `${JSON.stringify(inTotoStatement(m), null, 2)}\n`,
      signed: seal
        ? `${JSON.stringify(signedManifestBundle(m, seal.signature, seal.fingerprint), null, 2)}\n`
        : null,
      publicKeyPem: seal ? toPem('PUBLIC KEY', seal.publicKey) : null,
      baseName: `${repo}@${commit}`
    };
  }
}
