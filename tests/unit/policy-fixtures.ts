import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditDependencies } from '../../src/lib/core/deps/audit';
import { collectDependencies } from '../../src/lib/core/deps/collect';
import { normalizeName } from '../../src/lib/core/deps/names';
import { MemoryOsvIndexStore, OfflineOsvSource } from '../../src/lib/core/deps/osv-database';
import { isPypi, type OsvRecord } from '../../src/lib/core/deps/osv-record';
import type { FileReport } from '../../src/lib/core/findings';
import { applyFolderChecks } from '../../src/lib/core/folder/cross-check';
import { verifyModelSignature } from '../../src/lib/core/signing/verify-model';
import type { DependencyInput } from '../../src/lib/core/triage/dependencies';
import type { SignatureInput } from '../../src/lib/core/triage/signature';
import { analyseFile } from '../../src/lib/node/analyse-file';
import { loadOsvRecords } from './deps-fixtures';
import { MODELS } from './signing-fixtures';

export { manifestOf } from './manifest-fixture';

export const FIXTURES = join(import.meta.dirname, '../fixtures');
export const SIGNED_DIR = 'v1.0.0-sigstore';
export const SIGNER = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };

/** Scans real files as one model folder: [path in the model, file on disk]. */
export async function scanFiles(files: [string, string][]): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const [rel, fsPath] of files) reports.push(await analyseFile(fsPath, rel));
  return applyFolderChecks(reports);
}

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function signedFile(name: string): string {
  return join(MODELS, SIGNED_DIR, name);
}

/** Verifies the signed fixture model (keyless, public-good Sigstore) against one signer. */
export async function signatureOf(signer: { identity: string; issuer: string }): Promise<SignatureInput> {
  const dir = join(MODELS, SIGNED_DIR);
  const { memorySource } = await import('../../src/lib/core/bytes/byte-source');
  const files = ['signme-1', 'signme-2'].map((n) => ({
    path: n,
    source: memorySource(new Uint8Array(readFileSync(join(dir, n))), n)
  }));
  const result = await verifyModelSignature({
    bundle: readFileSync(join(dir, 'model.sig'), 'utf8'),
    policy: { mode: 'keyless', ...signer },
    files
  });
  return { present: true, method: 'keyless', requested: signer, result };
}

let store: MemoryOsvIndexStore | undefined;

/** An offline OSV index of every real advisory in the shared fixtures. */
export async function fixtureOsvStore(): Promise<MemoryOsvIndexStore> {
  if (store) return store;
  store = new MemoryOsvIndexStore();
  const byPackage = new Map<string, OsvRecord[]>();
  for (const r of loadOsvRecords()) {
    for (const a of (r.affected ?? []).filter(isPypi)) {
      const name = normalizeName(String(a.package?.name));
      byPackage.set(name, [...(byPackage.get(name) ?? []), r]);
    }
  }
  await store.append(byPackage);
  return store;
}

/** Collects and audits a requirements.txt offline against the fixture advisories. */
export async function auditRequirements(text: string): Promise<DependencyInput> {
  const collected = await collectDependencies(['requirements.txt'], async (p) =>
    p === 'requirements.txt' ? text : null
  );
  const audit = await auditDependencies(
    collected.dependencies,
    new OfflineOsvSource(await fixtureOsvStore())
  );
  return { collected, audit };
}

/** A Storage stand-in over a Map, for state that persists to localStorage. */
export function mapStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k)
  };
}
