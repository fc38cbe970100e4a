import { INFORMATION_URI } from '../version';
import type { Manifest } from './manifest';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const PROVENANCE_PREDICATE_TYPE = `${INFORMATION_URI}/hf-provenance/v1`;

export interface InTotoStatement {
  _type: typeof IN_TOTO_STATEMENT_V1;
  subject: { name: string; digest: { sha256: string; gitBlob?: string } }[];
  predicateType: string;
  predicate: {
    source: Manifest['source'];
    capturedAt: string;
    downloadedAt: string | null;
    manifestDigest: Manifest['digest'];
    /** Files that have no SHA-256 (regular git files not hashed locally) and so are not subjects. */
    filesWithoutSha256: { path: string; gitBlob: string | null }[];
    verification: {
      verified: number;
      mismatch: number;
      missing: number;
      notChecked: number;
      extra: string[];
    };
    /** The whole manifest, digest included, so the Statement loads back as the manifest it was made from. */
    manifest: Manifest;
  };
}

/**
 * An in-toto Statement v1 whose subjects are the files' SHA-256 (plus the git blob id where it hashes the
 * content). Unsigned as exported; Safeload signs it (DSSE) when the analyst signs the manifest.
 */
export function inTotoStatement(m: Manifest): InTotoStatement {
  const withSha = m.files.filter((f) => f.sha256 !== null);
  const count = (s: string) => m.files.filter((f) => f.status === s).length;
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: withSha.map((f) => ({
      name: f.path,
      digest: {
        sha256: f.sha256!,
        ...(f.gitBlobOf === 'content' && f.gitBlobSha1 ? { gitBlob: f.gitBlobSha1 } : {})
      }
    })),
    predicateType: PROVENANCE_PREDICATE_TYPE,
    predicate: {
      source: m.source,
      capturedAt: m.capturedAt,
      downloadedAt: m.downloadedAt,
      manifestDigest: m.digest,
      filesWithoutSha256: m.files
        .filter((f) => f.sha256 === null)
        .map((f) => ({ path: f.path, gitBlob: f.gitBlobSha1 })),
      verification: {
        verified: count('verified'),
        mismatch: count('mismatch'),
        missing: count('missing'),
        notChecked: count('not-checked'),
        extra: m.extraLocalFiles
      },
      manifest: m
    }
  };
}
