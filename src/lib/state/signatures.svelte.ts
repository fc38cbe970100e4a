import type { BundleClaims } from '../core/signing/inspect-bundle';
import type { TrustRootSummary } from '../core/signing/trust-root';
import type { PemInput, PolicyRequest, SigningRequest, SigningResult } from '../workers/signing-api';
import type { SigningClient } from '../workers/signing-client';
import { isActive, type FileJob } from './file-job';
import { bundleCandidates, filesBeside, signedFileRows } from '../core/signing/signature-targets';
import { triageInputs } from './triage-inputs.svelte';

export type SigningMode = 'keyless' | 'key' | 'certificate';

function pem(text: string, file: File | undefined): PemInput | undefined {
  if (file) return { file };
  return text.trim() ? { text } : undefined;
}

function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 400 ? `${message.slice(0, 399)}…` : message;
}

/** The Signatures page: which bundle, which policy and trust, and the last verification result. */
export class SignaturesState {
  mode = $state<SigningMode>('keyless');
  identity = $state('');
  issuer = $state('');
  match = $state<'exact' | 'regex'>('exact');
  keyText = $state('');
  keyFile = $state<File | undefined>();
  caText = $state('');
  caFile = $state<File | undefined>();
  ignorePathsText = $state('');
  ignoreUnsigned = $state(false);
  /** '' = the most likely bundle among the dropped files. */
  chosenBundle = $state('');
  /** '' = automatic (the whole folder, or the one file a single-file signature covers). */
  target = $state('');

  trustFile = $state<File | undefined>();
  trust = $state<TrustRootSummary | undefined>();
  trustError = $state('');

  running = $state(false);
  progress = $state<{ done: number; total: number } | undefined>();
  result = $state.raw<SigningResult | undefined>();
  /** The bundle the result is about: a result is not shown once another bundle is chosen. */
  private resultBundle = $state('');
  error = $state('');
  announcement = $state('');
  /** What the chosen bundle claims about its signer, read before anything is verified. */
  claims = $state.raw<BundleClaims | null>(null);
  claimsError = $state('');
  #claimsFor = '';

  readonly candidates = $derived.by(() => bundleCandidates(this.jobs().map((j) => j.path)));
  readonly bundlePath = $derived(
    this.candidates.includes(this.chosenBundle) ? this.chosenBundle : (this.candidates[0] ?? '')
  );
  readonly beside = $derived.by(() => (this.bundlePath ? filesBeside(this.jobs(), this.bundlePath) : []));
  readonly bundleRel = $derived(this.beside.find((f) => f.job.path === this.bundlePath)?.rel ?? '');
  readonly targets = $derived(this.beside.map((f) => f.rel).filter((r) => r !== this.bundleRel));
  readonly shownResult = $derived(this.resultBundle === this.bundlePath ? this.result : undefined);
  readonly hashing = $derived(this.beside.filter((f) => isActive(f.job)).length);
  /** Why Verify is not possible yet, or '' when it is. */
  readonly blocker = $derived(this.findBlocker());
  /** The files the shown result covers, with their scan verdicts beside what the signature says. */
  readonly signedFiles = $derived(
    this.shownResult ? signedFileRows(this.shownResult, this.beside, this.bundleRel) : []
  );
  /** Valid signature, but made by someone other than the identity asked for. */
  readonly wrongSigner = $derived(
    !!this.shownResult &&
      !this.shownResult.verified &&
      this.shownResult.signatureValid &&
      this.shownResult.lines.some((l) => l.id === 'identity' && !l.ok)
  );

  constructor(
    private readonly jobs: () => readonly FileJob[],
    private readonly client: SigningClient
  ) {}

  private findBlocker(): string {
    if (!this.bundlePath)
      return 'Drop a model folder with its model.sig, or a bundle next to the files it covers.';
    if (this.hashing) return `Waiting for ${this.hashing} file(s) to finish hashing…`;
    if (this.mode === 'keyless' && (!this.identity.trim() || !this.issuer.trim()))
      return 'Enter the expected signer identity and issuer.';
    if (this.mode === 'key' && !pem(this.keyText, this.keyFile))
      return 'Paste or choose the public key (PEM).';
    if (this.mode === 'certificate' && !pem(this.caText, this.caFile))
      return 'Paste or choose the CA certificate (PEM).';
    return '';
  }

  /** Reads the chosen bundle's claims whenever another bundle is chosen or dropped; returns the cleanup. */
  connect(): () => void {
    return $effect.root(() => {
      $effect(() => {
        const path = this.bundlePath;
        const file = this.beside.find((f) => f.job.path === path)?.job.file;
        if (path === this.#claimsFor) return;
        this.#claimsFor = path;
        void this.inspect(path, file);
      });
    });
  }

  async inspect(path: string, file: File | undefined): Promise<void> {
    this.claims = null;
    this.claimsError = '';
    if (!file) return;
    try {
      const claims = await this.client.inspect(file);
      if (this.#claimsFor === path) this.claims = claims;
    } catch (err) {
      if (this.#claimsFor === path) this.claimsError = errorText(err);
    }
  }

  async loadTrust(file?: File): Promise<void> {
    this.trustError = '';
    try {
      this.trust = await this.client.trust(file);
      this.trustFile = file;
    } catch (err) {
      this.trustError = `Could not use ${file?.name ?? 'the built-in trusted root'}: ${errorText(err)}`;
    }
  }

  private policy(): PolicyRequest {
    if (this.mode === 'key') return { mode: 'key', publicKey: pem(this.keyText, this.keyFile)! };
    if (this.mode === 'certificate') return { mode: 'certificate', ca: pem(this.caText, this.caFile)! };
    return { mode: 'keyless', identity: this.identity.trim(), issuer: this.issuer.trim(), match: this.match };
  }

  request(): SigningRequest | undefined {
    const bundle = this.beside.find((f) => f.job.path === this.bundlePath);
    if (!bundle?.job.file) return undefined;
    const files = this.beside
      .filter((f) => f.job.file && f.job.state !== 'error' && f.job.state !== 'cancelled')
      .map((f) => ({
        path: f.rel,
        file: f.job.file!,
        sha256: f.job.state === 'done' && f.job.sha256 ? f.job.sha256 : undefined,
        gitSha1: f.job.state === 'done' && f.job.gitSha1 ? f.job.gitSha1 : undefined
      }));
    return {
      bundle: { path: bundle.rel, file: bundle.job.file },
      files,
      policy: this.policy(),
      trustRoot: this.trustFile,
      ignorePaths: this.ignorePathsText
        .split(/[,\n]/)
        .map((p) => p.trim())
        .filter(Boolean),
      ignoreUnsignedFiles: this.ignoreUnsigned,
      target: this.targets.includes(this.target) ? this.target : undefined
    };
  }

  async verify(): Promise<void> {
    if (this.blocker || this.running) return;
    const request = this.request();
    if (!request) return;
    this.running = true;
    this.error = '';
    this.result = undefined;
    this.progress = undefined;
    this.announcement = 'Verifying…';
    try {
      const result = await this.client.verify(request, (done, total) => (this.progress = { done, total }));
      this.result = result;
      this.resultBundle = this.bundlePath;
      triageInputs.signature = {
        present: true,
        method: this.mode,
        requested:
          this.mode === 'keyless'
            ? { identity: this.identity.trim(), issuer: this.issuer.trim() }
            : undefined,
        result
      };
      const failed = result.lines.filter((l) => !l.ok);
      this.announcement = result.verified
        ? 'Signature verified: every check passed. This proves who signed and that the files are unchanged, not that they are safe to load.'
        : result.signatureValid && failed.every((l) => l.id === 'identity')
          ? 'The signature is valid, but it was not made by the signer you expected.'
          : `Verification failed: ${failed.length} check(s) failed.`;
    } catch (err) {
      this.error = errorText(err);
      this.announcement = `Verification could not run: ${this.error}`;
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    this.client.cancel();
  }
}
