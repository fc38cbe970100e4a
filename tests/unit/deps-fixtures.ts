import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { asOsvRecord, type OsvRecord } from '../../src/lib/core/deps/osv-record';
import { sharedPath } from '../fixture-set.mjs';

/** The external fixture set: read it only inside `describeShared`. */
export const SHARED = sharedPath();
export const OSV_DIR = join(SHARED, 'fixtures/osv');
export const LOCK_DIR = join(SHARED, 'fixtures/lockfiles');
export const SCHEMA_DIR = join(SHARED, 'fixtures/schemas');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every real OSV record in the shared fixtures: PYSEC YAML (read with the failsafe schema so "1.10" stays a string) and GHSA JSON. */
let cached: OsvRecord[] | undefined;

export function loadOsvRecords(): OsvRecord[] {
  cached ??= walk(OSV_DIR)
    .filter((p) => /\.(ya?ml|json)$/.test(p))
    .map((p) => {
      const text = readFileSync(p, 'utf8');
      return asOsvRecord(p.endsWith('.json') ? JSON.parse(text) : parse(text, { schema: 'failsafe' }));
    });
  return structuredClone(cached);
}

export function osvRecord(id: string): OsvRecord {
  const found = loadOsvRecords().find((r) => r.id === id);
  if (!found) throw new Error(`no fixture record ${id}`);
  return found;
}

export function lockfile(name: string): string {
  return readFileSync(join(LOCK_DIR, name), 'utf8');
}

/** ReadText over the shared lock-file fixtures, with the "requirements_testdata_" prefix removed as scalibr's testdata names them. */
export function fixtureReader(files: Record<string, string>) {
  return async (path: string) => (path in files ? files[path] : null);
}
