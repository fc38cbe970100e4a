// A sealed provenance manifest for files described by their digests. Only the manifest module is imported, so
// the browser tests (Playwright's loader) can use it too.
import type { FileReport } from '../../src/lib/core/findings';
import {
  MANIFEST_SCHEMA,
  MANIFEST_SCHEMA_VERSION,
  sealManifest,
  type Manifest
} from '../../src/lib/core/provenance/manifest';

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

/** A sealed provenance manifest listing the given files (by their scan digests) at a commit. */
export async function manifestOf(
  reports: readonly FileReport[],
  options: { commit?: string | null; licenses?: string[]; repoId?: string } = {}
): Promise<Manifest> {
  const commit = options.commit === undefined ? COMMIT : options.commit;
  const repoId = options.repoId ?? 'acme/tiny-model';
  return sealManifest({
    schema: MANIFEST_SCHEMA,
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'safeload', version: '0.1.0' },
    source: {
      kind: 'hub',
      hub: 'https://huggingface.co',
      repoType: 'model',
      repoId,
      requestedRevision: commit ?? 'main',
      resolvedCommit: commit,
      purl: commit ? `pkg:huggingface/${repoId}@${commit}` : null,
      endpoints: []
    },
    capturedAt: '2026-01-02T03:04:05Z',
    downloadedAt: null,
    authenticated: false,
    lastCommit: null,
    repo: {
      repoId,
      private: false,
      gated: false,
      disabled: false,
      licenses: options.licenses ?? ['apache-2.0'],
      libraryName: null,
      pipelineTag: null,
      tags: [],
      baseModels: [],
      remoteCode: { customCodeTag: false, autoMap: null, customClass: null },
      securityScan: null,
      lastModified: null,
      createdAt: null
    },
    files: reports.map((r) => ({
      path: r.path,
      size: r.size,
      sha256: r.sha256!,
      sha256Source: 'local' as const,
      gitBlobSha1: r.gitSha1 ?? null,
      gitBlobOf: 'content' as const,
      lfs: false,
      status: 'not-checked' as const
    })),
    extraLocalFiles: []
  });
}
