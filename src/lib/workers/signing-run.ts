import { Buffer } from 'buffer';
import { blobSource } from '../core/bytes/byte-source';
import { isProvenancePayload, verifySignedManifest } from '../core/provenance/verify-signed-manifest';
import { MAX_BUNDLE_BYTES, parseBundleJson, unverifiedDssePayload } from '../core/signing/bundle-load';
import { line } from '../core/signing/checklist';
import { inspectBundle, type BundleClaims } from '../core/signing/inspect-bundle';
import { GIT_PATHS, makeIgnore } from '../core/signing/ignore-paths';
import type { ModelFile } from '../core/signing/model-diff';
import type { SourceDigester } from '../core/signing/range-digest';
import { parseModelStatement, PREDICATE_V01, PREDICATE_V1 } from '../core/signing/model-manifest';
import {
  MAX_TRUST_JSON_BYTES,
  parseTrustRootText,
  publicGoodTrustRoot,
  type LoadedTrustRoot,
  type TrustRootSummary
} from '../core/signing/trust-root';
import { verifyArtifactBundle } from '../core/signing/verify-artifact';
import type { SignerPolicy } from '../core/signing/verify-bundle';
import { verifyModelSignature } from '../core/signing/verify-model';
import { guessArtifact } from '../core/signing/signature-targets';
import type { ProgressCallback } from './file-job-api';
import type { PemInput, PolicyRequest, SignedFileRef, SigningRequest, SigningResult } from './signing-api';

const MAX_PEM_BYTES = 1024 * 1024;
const MODEL_PREDICATES = new Set([PREDICATE_V1, PREDICATE_V01]);

async function readText(file: File, max: number, what: string): Promise<string> {
  if (file.size > max) throw new Error(`${what} ${file.name} is larger than ${max} bytes`);
  return file.text();
}

async function pemText(input: PemInput, what: string): Promise<string> {
  return 'text' in input ? input.text : readText(input.file, MAX_PEM_BYTES, what);
}

export async function loadTrust(file?: File): Promise<LoadedTrustRoot> {
  if (!file) return publicGoodTrustRoot();
  return parseTrustRootText(await readText(file, MAX_TRUST_JSON_BYTES, 'trusted root'), file.name);
}

export async function trustSummary(file?: File): Promise<TrustRootSummary> {
  return (await loadTrust(file)).summary;
}

export async function inspectBundleFile(file: File): Promise<BundleClaims> {
  return inspectBundle(parseBundleJson(await readText(file, MAX_BUNDLE_BYTES, 'bundle')));
}

async function buildPolicy(p: PolicyRequest, trustFile?: File): Promise<SignerPolicy> {
  if (p.mode === 'certificate') return { mode: 'certificate', caPem: await pemText(p.ca, 'CA file') };
  const trustRoot = await loadTrust(trustFile);
  if (p.mode === 'key')
    return { mode: 'key', publicKeyPem: await pemText(p.publicKey, 'public key file'), trustRoot };
  return { mode: 'keyless', identity: p.identity, issuer: p.issuer, match: p.match, trustRoot };
}

function isModelSignature(payload: Uint8Array | undefined): boolean {
  if (!payload) return false;
  try {
    const type = (JSON.parse(Buffer.from(payload).toString('utf8')) as { predicateType?: unknown })
      .predicateType;
    return typeof type === 'string' && MODEL_PREDICATES.has(type);
  } catch {
    return false;
  }
}

/** True when the manifest lists exactly one resource named "." (a model that is one file). */
function coversSingleFile(payload: Uint8Array): boolean {
  try {
    const entries = parseModelStatement(payload).entries;
    return entries.length > 0 && entries.every((e) => e.path === '.');
  } catch {
    return false;
  }
}

function toModelFile(ref: SignedFileRef, path = ref.path): ModelFile {
  return { path, source: blobSource(ref.file, ref.path), sha256: ref.sha256 || undefined };
}

interface RunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** Where files and shards are hashed when no SHA-256 from the hashing stage can be reused. */
  digest?: SourceDigester;
  concurrency?: number;
}

export async function runSigning(req: SigningRequest, opts: RunOptions = {}): Promise<SigningResult> {
  const json = parseBundleJson(await readText(req.bundle.file, MAX_BUNDLE_BYTES, 'bundle'));
  const policy = await buildPolicy(req.policy, req.trustRoot);
  const payload = unverifiedDssePayload(json);
  const others = req.files.filter((f) => f.path !== req.bundle.path);
  if (isModelSignature(payload)) return verifyModel(req, json, policy, payload!, others, opts);
  if (isProvenancePayload(payload)) return verifyManifest(req, json, policy, others, opts);
  return verifyArtifact(req, json, policy, others, opts);
}

/** A signed Safeload manifest: the signature, then every file beside it against the manifest's hashes. */
async function verifyManifest(
  req: SigningRequest,
  json: unknown,
  policy: SignerPolicy,
  others: SignedFileRef[],
  opts: RunOptions
): Promise<SigningResult> {
  const result = await verifySignedManifest({
    bundle: json,
    policy,
    files: others.map((f) => ({ ...toModelFile(f), gitSha1: f.gitSha1 || undefined })),
    signaturePath: req.bundle.path,
    ignorePaths: req.ignorePaths,
    signal: opts.signal
  });
  return { kind: 'model', ...result, trust: undefined };
}

async function verifyModel(
  req: SigningRequest,
  json: unknown,
  policy: SignerPolicy,
  payload: Uint8Array,
  others: SignedFileRef[],
  opts: RunOptions
): Promise<SigningResult> {
  let files = others.map((f) => toModelFile(f));
  let target: string | undefined;
  if (coversSingleFile(payload)) {
    const ignored = makeIgnore([...GIT_PATHS, ...req.ignorePaths]);
    const candidates = others.filter((f) => !ignored(f.path));
    target = req.target ?? (candidates.length === 1 ? candidates[0].path : undefined);
    const chosen = others.find((f) => f.path === target);
    files = chosen ? [toModelFile(chosen, '.')] : [];
  }
  const result = await verifyModelSignature({
    bundle: json,
    policy,
    files,
    signaturePath: req.bundle.path,
    ignorePaths: req.ignorePaths,
    ignoreUnsignedFiles: req.ignoreUnsignedFiles,
    digest: opts.digest,
    concurrency: opts.concurrency,
    signal: opts.signal,
    onProgress: opts.onProgress
  });
  if (files.length === 0 && coversSingleFile(payload)) {
    const reason = 'the signature covers one file: choose it under "Signed file" and verify again';
    result.lines = result.lines.map((l) =>
      l.id === 'files' && !l.reason.startsWith('not checked') ? line('files', false, reason) : l
    );
    result.verified = false;
  }
  const m = result.manifest;
  return {
    kind: 'model',
    verified: result.verified,
    signatureValid: result.signatureValid,
    lines: result.lines,
    signer: result.signer,
    trust: result.trust,
    manifest: m && {
      predicateType: m.predicateType,
      modelName: m.modelName,
      method: m.serialization.method,
      hashType: m.serialization.hashType,
      resources: m.resources
    },
    diff: result.diff,
    ignored: result.ignored,
    target
  };
}

async function verifyArtifact(
  req: SigningRequest,
  json: unknown,
  policy: SignerPolicy,
  others: SignedFileRef[],
  opts: RunOptions
): Promise<SigningResult> {
  const target =
    req.target ??
    guessArtifact(
      req.bundle.path,
      others.map((f) => f.path)
    );
  const chosen = others.find((f) => f.path === target);
  const result = await verifyArtifactBundle({
    bundle: json,
    policy,
    artifact: chosen ? blobSource(chosen.file, chosen.path) : undefined,
    signal: opts.signal
  });
  if (!chosen && !result.lines.some((l) => l.id === 'subject')) {
    result.lines.push(
      line('subject', false, 'no artifact chosen: pick the file this bundle covers under "Signed file"')
    );
    result.verified = false;
  }
  return {
    kind: 'artifact',
    verified: result.verified,
    signatureValid: result.signatureValid,
    lines: result.lines,
    signer: result.signer,
    trust: result.trust,
    ignored: [],
    target: chosen?.path,
    statement: result.statement && {
      predicateType: result.statement.predicateType,
      subjects: result.statement.subjects.slice(0, 50).map((s) => s.name || '(unnamed)')
    }
  };
}
