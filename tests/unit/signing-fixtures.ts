import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { sharedPath } from '../fixture-set.mjs';

/** The Sigstore part of the external fixture set: read it only inside `describeShared`. */
export const SIGSTORE = sharedPath('fixtures/sigstore');
export const MODELS = join(SIGSTORE, 'model-transparency/scripts-tests');
export const KEYS = join(SIGSTORE, 'model-transparency/keys');
export const CONFORMANCE = join(SIGSTORE, 'sigstore-conformance/bundle-verify');

export const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

export function text(path: string): string {
  return readFileSync(path, 'utf8');
}

export function fileSource(path: string, name = path) {
  return memorySource(new Uint8Array(readFileSync(path)), name);
}

export function conformanceCases(): string[] {
  return readdirSync(CONFORMANCE, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function optional(path: string): string | undefined {
  return existsSync(path) ? text(path).trim() : undefined;
}
