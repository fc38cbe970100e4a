import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { auditDependencies } from '../core/deps/audit';
import { collectDependencies } from '../core/deps/collect';
import { MemoryOsvCache, OsvClient } from '../core/deps/osv-client';
import { MemoryOsvIndexStore, OfflineOsvSource } from '../core/deps/osv-database';
import { indexOsvDatabase } from '../core/deps/osv-zip';
import type { VulnSource } from '../core/deps/source';
import type { FileReport } from '../core/findings';
import { applyFolderChecks } from '../core/folder/cross-check';
import { checkExternalDataLinks } from '../node/external-links';
import { expectedFromManifest, type Manifest } from '../core/provenance/manifest';
import { parseManifestText } from '../core/provenance/manifest-document';
import { checkManifestSignature, type ManifestSignature } from '../core/provenance/manifest-signature';
import { isHubBookkeeping, matchFiles } from '../core/provenance/match';
import type { SignerPolicy } from '../core/signing/verify-bundle';
import { verifyModelSignature, type VerificationResult } from '../core/signing/verify-model';
import type { DependencyInput } from '../core/triage/dependencies';
import { licenseFromManifest, licenseFromModelCard } from '../core/triage/license';
import type { ProvenanceInput } from '../core/triage/provenance';
import type { SignatureInput } from '../core/triage/signature';
import type { TriageLicense } from '../core/triage/types';
import { openModel } from '../node/model-files';
import { nodeDigester } from '../node/node-digester';
import { reportAt, scanWalked } from '../node/scan-walked';
import { walkPaths, type WalkedFile } from '../node/walk';
import { CliError } from './errors';
import { readText } from './signer-policy';

const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/** The model on disk: its root folder and its files by "/"-separated path relative to that root. */
export interface ModelDrop {
  root: string;
  singleFile: boolean;
  /** Relative path → file system path. */
  files: Map<string, string>;
  /** The files to scan, each with its relative path (a file reached through a link is scanned once). */
  walked: WalkedFile[];
  /** Entries that are not files (links out of the folder, loops, FIFOs, devices): a finding each. */
  entries: FileReport[];
}

export interface GateLimits {
  maxEntries?: number;
}

/** Opens the model folder; an entry that cannot be read (or an entry bound reached) stops the gate. */
export async function openDrop(
  path: string,
  exclude: readonly string[],
  limits: GateLimits = {}
): Promise<ModelDrop> {
  const info = await stat(path);
  const root = info.isDirectory() ? resolve(path) : dirname(resolve(path));
  const walk = await walkPaths([info.isDirectory() ? root : resolve(path)], limits);
  const unread = walk.errors.map((e) => `cannot read ${e.path}: ${e.message}`);
  if (walk.stoppedAt !== undefined) {
    unread.push(`stopped after ${walk.stoppedAt} entries (--max-entries): the rest was not scanned`);
  }
  if (unread.length > 0)
    throw new CliError(walk.errors.length > 0 ? 'ENTRY_UNREADABLE' : 'ENTRY_LIMIT', unread.join('; '));
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  const excluded = new Set(exclude.map((p) => resolve(p)));
  const walked = walk.files
    .filter((f) => !excluded.has(resolve(f.fsPath)))
    .map((f) => ({ ...f, displayPath: rel(f.fsPath) }));
  return {
    root,
    singleFile: !info.isDirectory(),
    files: new Map(walked.map((f) => [f.displayPath, f.fsPath])),
    walked,
    entries: walk.entries.map((e) => reportAt(e, rel(e.path)))
  };
}

export async function scanDrop(drop: ModelDrop): Promise<FileReport[]> {
  const { reports, errors } = await scanWalked(drop.walked);
  if (errors.length > 0) {
    throw new CliError(
      'ENTRY_UNREADABLE',
      errors.map((e) => `cannot read ${e.path}: ${e.message}`).join('; ')
    );
  }
  return checkExternalDataLinks(applyFolderChecks([...reports, ...drop.entries]), (p) => drop.files.get(p));
}

async function readBounded(fsPath: string): Promise<string | null> {
  const info = await stat(fsPath);
  return info.size > MAX_TEXT_BYTES ? null : readFile(fsPath, 'utf8');
}

/**
 * Reads a committed manifest in any exported form (JSON, YAML, in-toto Statement, signed bundle). With a
 * key, the manifest must be signed by it; without one, a signed manifest's signature is reported unchecked.
 */
export async function readManifest(
  path: string,
  keyPath?: string
): Promise<{ manifest: Manifest; signature: ManifestSignature }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('INPUT_UNREADABLE', `cannot read manifest ${path}: ${(err as Error).message}`);
  }
  let doc;
  try {
    doc = await parseManifestText(text);
  } catch (err) {
    throw new CliError('MANIFEST_REJECTED', `${path}: ${(err as Error).message}`);
  }
  if (!keyPath)
    return {
      manifest: doc.manifest,
      signature:
        doc.form === 'signed' ? { state: 'unknown-key', fingerprint: doc.keyHint } : { state: 'unsigned' }
    };
  const key = { label: keyPath, publicKeyPem: await readText(keyPath, 'manifest key') };
  const signature = checkManifestSignature(doc, [key]);
  if (signature.state === 'unsigned')
    throw new CliError(
      'MANIFEST_REJECTED',
      `${path}: the manifest is not signed, but --manifest-key asks for a signed one`
    );
  if (signature.state === 'unknown-key')
    throw new CliError(
      'MANIFEST_REJECTED',
      `${path}: the manifest is signed by another key (${signature.fingerprint ?? 'unnamed'}), not ${keyPath}`
    );
  if (signature.state === 'invalid')
    throw new CliError(
      'MANIFEST_REJECTED',
      `${path}: the manifest signature does not verify: ${signature.reason}`
    );
  return { manifest: doc.manifest, signature };
}

export function checkProvenance(
  manifest: Manifest,
  reports: readonly FileReport[],
  signature?: ManifestSignature
): ProvenanceInput {
  const local = reports
    .filter((r) => !isHubBookkeeping(r.path))
    .map((r) => ({ path: r.path, size: r.size, sha256: r.sha256, gitSha1: r.gitSha1 }));
  return {
    manifest,
    match: matchFiles(expectedFromManifest(manifest), local),
    ...(signature ? { signature } : {})
  };
}

export async function findLicense(
  drop: ModelDrop,
  manifest: Manifest | null,
  given?: string
): Promise<TriageLicense> {
  if (given) return { id: given.toLowerCase(), source: 'given' };
  const card = [...drop.files.keys()].find((p) => p.toLowerCase() === 'readme.md');
  if (card) {
    const text = await readBounded(drop.files.get(card)!);
    const id = text === null ? null : licenseFromModelCard(text);
    if (id) return { id, source: 'model-card' };
  }
  return licenseFromManifest(manifest) ?? { id: null, source: null };
}

export interface Signer {
  identity: string;
  issuer: string;
}

/**
 * Verifies model.sig (or the given signature) against each candidate signer until one verifies: keyless
 * identities, or the one public key / CA chain given. Without a candidate there is nothing to verify against,
 * which the triage records as "present, not checked". The method records which kind of signer was required,
 * also when no signature is there, so a required signature that is missing fails.
 */
export async function checkSignature(
  modelPath: string,
  signaturePath: string,
  signers: readonly SignerPolicy[],
  ignore: readonly string[]
): Promise<SignatureInput> {
  const method = signers[0]?.mode;
  if (!existsSync(signaturePath)) return { present: false, ...(method ? { method } : {}) };
  if (signers.length === 0)
    return {
      present: true,
      error:
        'no signer to verify against: give --identity and --issuer, --key or --certificate-chain, or set approvedSigners'
    };
  const bundle = await readBounded(signaturePath);
  if (bundle === null) return { present: true, error: 'the signature file is too large' };
  const model = await openModel(modelPath);
  try {
    const root = model.singleFile ? dirname(resolve(modelPath)) : resolve(modelPath);
    const rel = (p: string) => relative(root, resolve(p)).split(sep).join('/');
    let last: { signer: SignerPolicy; result: VerificationResult } | undefined;
    for (const signer of signers.slice(0, 20)) {
      const result = await verifyModelSignature({
        bundle,
        policy: signer,
        files: model.files,
        signaturePath: model.singleFile ? basename(signaturePath) : rel(signaturePath),
        ignorePaths: ignore.map(rel).filter((p) => !p.startsWith('..')),
        digest: nodeDigester
      });
      last = { signer, result };
      if (result.verified) break;
    }
    const { signer, result } = last!;
    return {
      present: true,
      method: signer.mode,
      ...(signer.mode === 'keyless'
        ? { requested: { identity: signer.identity, issuer: signer.issuer } }
        : {}),
      result
    };
  } finally {
    await model.close();
  }
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) yield chunk as Uint8Array;
}

export async function checkDependencies(
  drop: ModelDrop,
  options: { osvDb?: string; osvApi?: string }
): Promise<DependencyInput> {
  const read = async (p: string) => {
    const fsPath = drop.files.get(p);
    return fsPath ? readBounded(fsPath) : null;
  };
  const collected = await collectDependencies([...drop.files.keys()], read);
  if (collected.dependencies.length === 0)
    return { collected, audit: null, notAuditedReason: 'no dependencies declared' };
  let source: VulnSource;
  if (options.osvDb) {
    const store = new MemoryOsvIndexStore();
    const info = await indexOsvDatabase(fileChunks(options.osvDb), store, {
      only: new Set(collected.dependencies.map((d) => d.name))
    });
    if (info.records === 0 || info.incomplete.length > 0)
      throw new CliError(
        'VULNERABILITY_LOOKUP',
        `${options.osvDb}: not a usable OSV database (${info.incomplete.join('; ') || 'no records'})`
      );
    source = new OfflineOsvSource(store);
  } else if (options.osvApi) {
    source = new OsvClient({ fetch: globalThis.fetch, baseUrl: options.osvApi, cache: new MemoryOsvCache() });
  } else {
    return {
      collected,
      audit: null,
      notAuditedReason: 'offline and no --osv-db given (use --osv-db or --online)'
    };
  }
  try {
    return { collected, audit: await auditDependencies(collected.dependencies, source) };
  } catch (err) {
    throw new CliError('VULNERABILITY_LOOKUP', `vulnerability lookup failed: ${(err as Error).message}`);
  }
}
