import { digestSource, MultiHasher } from '../hash/multi-digest';
import { errorMessage, line, type CheckLine } from '../signing/checklist';
import { makeIgnore } from '../signing/ignore-paths';
import type { FileDiff, ModelFile } from '../signing/model-diff';
import { verifySignedBundle, type SignerPolicy } from '../signing/verify-bundle';
import type { SignerInfo } from '../signing/certificate-info';
import { PROVENANCE_PREDICATE_TYPE } from './in-toto';
import { expectedFromManifest } from './manifest';
import { readManifestDocument } from './manifest-document';
import { isHubBookkeeping, matchFiles } from './match';

export interface SignedManifestResult {
  verified: boolean;
  signatureValid: boolean;
  lines: CheckLine[];
  signer?: SignerInfo;
  diff?: FileDiff;
  ignored: string[];
}

/** Whether a verified-or-not DSSE payload is a Safeload provenance statement (a signed manifest). */
export function isProvenancePayload(payload: Uint8Array | undefined): boolean {
  if (!payload) return false;
  try {
    const type = (JSON.parse(new TextDecoder().decode(payload)) as { predicateType?: unknown }).predicateType;
    return type === PROVENANCE_PREDICATE_TYPE;
  } catch {
    return false;
  }
}

/**
 * Verifies a signed Safeload manifest against a folder: the signature (with the signer policy, normally a
 * public key), the manifest inside it (its digest), then every local file against the manifest's hashes.
 */
export async function verifySignedManifest(input: {
  bundle: unknown;
  policy: SignerPolicy;
  /** The folder's files; a file whose SHA-256 and git blob id are both known is not read again. */
  files: (ModelFile & { gitSha1?: string })[];
  /** The signature's own path in the folder, never compared. */
  signaturePath: string;
  ignorePaths?: string[];
  signal?: AbortSignal;
}): Promise<SignedManifestResult> {
  const signed = verifySignedBundle(input.bundle, input.policy);
  const lines = [...signed.lines];
  const base = { signer: signed.signer, signatureValid: signed.signatureValid, ignored: [] as string[] };
  if (!signed.signatureValid || !signed.payload) {
    lines.push(line('files', false, 'not checked: the signature did not verify'));
    return { ...base, verified: false, lines };
  }
  let manifest;
  try {
    const statement: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(signed.payload.bytes)
    );
    const doc = await readManifestDocument(statement);
    manifest = doc.manifest;
    lines.push(
      line(
        'manifest',
        true,
        `Safeload provenance manifest of ${manifest.files.length} files, ${manifest.source.repoId ?? 'local'} @ ${manifest.source.resolvedCommit ?? 'no commit'}`
      )
    );
  } catch (err) {
    lines.push(line('manifest', false, errorMessage(err)));
    return { ...base, verified: false, lines };
  }
  const ignored = makeIgnore([input.signaturePath, ...(input.ignorePaths ?? [])]);
  const files = input.files.filter((f) => !ignored(f.path) && !isHubBookkeeping(f.path));
  base.ignored = input.files.filter((f) => !files.includes(f)).map((f) => f.path);
  // Both digests for every file, whatever its size: a manifest may record only the git blob id of a large file.
  const hasher = await MultiHasher.create({ gitSha1MaxBytes: Infinity });
  const local = [];
  let hashedBytes = 0;
  for (const f of files) {
    let d: { sha256: string; gitSha1: string | null } | null =
      f.sha256 && f.gitSha1 ? { sha256: f.sha256, gitSha1: f.gitSha1 } : null;
    if (!d) {
      d = await digestSource(f.source, { signal: input.signal }, hasher);
      hashedBytes += f.source.size;
    }
    local.push({ path: f.path, size: f.source.size, ...d });
  }
  const match = matchFiles(expectedFromManifest(manifest), local);
  const diff: FileDiff = {
    missing: match.files.filter((f) => f.status === 'missing').map((f) => f.path),
    extra: match.files.filter((f) => f.status === 'extra').map((f) => f.path),
    mismatched: match.files.flatMap((f) =>
      f.mismatch
        ? [{ name: f.path, expected: String(f.mismatch.expected), actual: String(f.mismatch.actual) }]
        : []
    ),
    matched: match.counts.verified,
    hashedBytes
  };
  const unverifiable = match.counts.unverifiable;
  lines.push(
    line(
      'files',
      match.allVerified,
      match.allVerified
        ? `${match.counts.verified} file(s) match the signed manifest`
        : `${diff.mismatched.length} differ, ${diff.missing.length} missing, ${diff.extra.length} not in the manifest${unverifiable ? `, ${unverifiable} without a content hash` : ''}`
    )
  );
  return { ...base, verified: lines.every((l) => l.ok), lines, diff };
}
