import { describe, expect, it } from 'vitest';
import {
  MANIFEST_CANONICALIZATION,
  MANIFEST_SCHEMA,
  MANIFEST_SCHEMA_VERSION,
  sealManifest,
  type Manifest
} from '../../src/lib/core/provenance/manifest';
import {
  decodeManifestFragment,
  encodeManifestFragment,
  MAX_LINK_CHARS,
  MAX_LINK_FILES
} from '../../src/lib/core/provenance/share-link';
import { ShareLinkError } from '../../src/lib/core/provenance/errors';

/** A valid, sealed manifest listing `count` tiny files: what a hostile share link can carry. */
export async function manifestOfFiles(count: number): Promise<Manifest> {
  return sealManifest({
    schema: MANIFEST_SCHEMA,
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'safeload', version: '0.1.0' },
    source: {
      kind: 'hub',
      hub: 'https://huggingface.co',
      repoType: 'model',
      repoId: 'acme/many',
      requestedRevision: null,
      resolvedCommit: null,
      purl: null,
      endpoints: []
    },
    capturedAt: '2026-01-01T00:00:00Z',
    downloadedAt: null,
    authenticated: false,
    lastCommit: null,
    repo: null,
    files: Array.from({ length: count }, (_, i) => ({
      path: i.toString(36),
      size: 0,
      sha256: null,
      sha256Source: null,
      gitBlobSha1: null,
      gitBlobOf: null,
      lfs: false,
      status: 'not-checked' as const
    })),
    extraLocalFiles: []
  });
}

describe('share links are bounded', () => {
  it('a 480 KB link describing 125,000 files is refused before it is expanded into the page', async () => {
    const fragment = encodeManifestFragment(await manifestOfFiles(125_000));
    expect(fragment.length).toBeLessThan(MAX_LINK_CHARS);
    const err = await decodeManifestFragment(fragment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShareLinkError);
    expect(err).toMatchObject({ code: 'SHARE_LINK_TOO_LARGE' });
  }, 60_000);

  it('a link over the file bound is refused with the bound, even when it inflates to little', async () => {
    const fragment = encodeManifestFragment(await manifestOfFiles(MAX_LINK_FILES + 1));
    await expect(decodeManifestFragment(fragment)).rejects.toThrow(/at most 10000/);
    await expect(decodeManifestFragment(fragment)).rejects.toMatchObject({ code: 'SHARE_LINK_TOO_LARGE' });
  }, 60_000);

  it('a link at the file bound still opens', async () => {
    const manifest = await manifestOfFiles(MAX_LINK_FILES);
    const back = await decodeManifestFragment(encodeManifestFragment(manifest));
    expect(back.files).toHaveLength(MAX_LINK_FILES);
    expect(back.digest.canonicalization).toBe(MANIFEST_CANONICALIZATION);
  }, 60_000);
});
