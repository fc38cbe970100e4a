import { parseBundleJson } from './bundle-load';
import type { SignerInfo } from './certificate-info';
import { errorMessage, line, type CheckLine } from './checklist';
import { GIT_PATHS, DEFAULT_SIGNATURE_NAME, makeIgnore } from './ignore-paths';
import { describeDiff, diffModel, type FileDiff, type ModelFile } from './model-diff';
import { parseModelStatement, type Serialization } from './model-manifest';
import { digestWithHashWasm, type SourceDigester } from './range-digest';
import type { TrustRootSummary } from './trust-root';
import { verifySignedBundle, type SignerPolicy } from './verify-bundle';

export interface VerifyModelInput {
  /** The signature file: its text or already-parsed JSON. */
  bundle: string | unknown;
  policy: SignerPolicy;
  /** Every file of the model folder (paths relative to it), or one file with path "." for a single-file model. */
  files: ModelFile[];
  /** The signature's own path relative to the model folder, always ignored. Default "model.sig". */
  signaturePath?: string;
  ignorePaths?: string[];
  /** Ignore .git, .gitattributes, .github, .gitignore (default true, as model_signing). */
  ignoreGitPaths?: boolean;
  ignoreUnsignedFiles?: boolean;
  /** Computes a digest over a source; defaults to hash-wasm in this thread (the UI may spread shards over workers). */
  digest?: SourceDigester;
  /** Files or shards hashed at once by `digest` (default 1; a worker-pool digester can take more). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface VerificationResult {
  verified: boolean;
  /** The signature is genuine even if not verified: only the signer's identity did not match the policy. */
  signatureValid: boolean;
  lines: CheckLine[];
  signer?: SignerInfo;
  trust?: TrustRootSummary;
  manifest?: { predicateType: string; modelName?: string; serialization: Serialization; resources: number };
  diff?: FileDiff;
  ignored: string[];
}

/** OpenSSF model signing verification: the signature, then the signed manifest, then every local file. */
export async function verifyModelSignature(input: VerifyModelInput): Promise<VerificationResult> {
  const lines: CheckLine[] = [];
  let json: unknown;
  try {
    json = typeof input.bundle === 'string' ? parseBundleJson(input.bundle) : input.bundle;
  } catch (err) {
    return {
      verified: false,
      signatureValid: false,
      lines: [line('bundle', false, errorMessage(err))],
      ignored: []
    };
  }
  const signed = verifySignedBundle(json, input.policy, { modelSigning: true });
  lines.push(...signed.lines);
  const base = {
    signer: signed.signer,
    trust: signed.trust,
    ignored: [] as string[],
    signatureValid: signed.signatureValid
  };
  // A genuine signature by another signer still has its files checked, so the report says what it covers.
  if (!signed.signatureValid || !signed.payload) {
    lines.push(line('files', false, 'not checked: the signature did not verify'));
    return { ...base, verified: false, lines };
  }
  if (signed.payload.type !== 'application/vnd.in-toto+json') {
    lines.push(line('manifest', false, `payload type ${signed.payload.type} is not an in-toto statement`));
    return { ...base, verified: false, lines };
  }
  let manifest;
  try {
    manifest = parseModelStatement(signed.payload.bytes);
  } catch (err) {
    lines.push(line('manifest', false, errorMessage(err)));
    return { ...base, verified: false, lines };
  }
  const summary = {
    predicateType: manifest.predicateType,
    modelName: manifest.modelName,
    serialization: manifest.serialization,
    resources: manifest.entries.length
  };
  if (manifest.root) {
    const same = manifest.root.signed === manifest.root.recomputed;
    lines.push(
      line(
        'manifest',
        same,
        same
          ? `${manifest.entries.length} resources; ROOT sha256:${manifest.root.signed}`
          : `Manifest is inconsistent: subject sha256:${manifest.root.signed}, resources give sha256:${manifest.root.recomputed}`
      )
    );
  } else {
    lines.push(
      line('manifest', true, `${manifest.entries.length} per-file subjects (model_signing v0.2 format)`)
    );
  }
  const ignoreList = [
    ...manifest.serialization.ignorePaths,
    ...(input.ignorePaths ?? []),
    ...(input.ignoreGitPaths === false ? [] : GIT_PATHS),
    input.signaturePath ?? DEFAULT_SIGNATURE_NAME
  ];
  const ignored = makeIgnore(ignoreList);
  const files = input.files.filter((f) => f.path === '.' || !ignored(f.path));
  base.ignored = input.files.filter((f) => !files.includes(f)).map((f) => f.path);
  try {
    const diff = await diffModel(files, manifest, {
      ignoreUnsignedFiles: input.ignoreUnsignedFiles,
      digest: input.digest ?? digestWithHashWasm,
      concurrency: input.concurrency,
      signal: input.signal,
      onProgress: input.onProgress
    });
    const clean = diff.missing.length + diff.extra.length + diff.mismatched.length === 0;
    const name = manifest.modelName ?? 'model';
    lines.push(
      line(
        'files',
        clean,
        clean
          ? `${diff.matched} resource(s) match (${summary.serialization.method}, ${summary.serialization.hashType})`
          : describeDiff(diff, name)
      )
    );
    return { ...base, verified: lines.every((l) => l.ok), lines, manifest: summary, diff };
  } catch (err) {
    lines.push(line('files', false, `could not hash the local files: ${errorMessage(err)}`));
    return { ...base, verified: false, lines, manifest: summary };
  }
}
