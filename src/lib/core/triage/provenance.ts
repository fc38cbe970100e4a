import type { Manifest } from '../provenance/manifest';
import type { ManifestSignature } from '../provenance/manifest-signature';
import type { FileMatch, MatchResult, MatchStatus } from '../provenance/match';
import type { TriageProvenance } from './types';

export interface ProvenanceInput {
  manifest: Manifest;
  /** The local files matched against the manifest's files. */
  match: MatchResult;
  /** Whether the manifest was signed and by whom; absent means unsigned. */
  signature?: ManifestSignature;
}

const FULL_COMMIT = /^[0-9a-f]{40}$/;
const MAX_PROBLEMS = 1000;

function emptyCounts(): Record<MatchStatus, number> {
  return { verified: 0, mismatch: 0, missing: 0, extra: 0, pending: 0, unverifiable: 0 };
}

function detail(f: FileMatch): string | null {
  if (f.mismatch) return `${f.mismatch.field}: expected ${f.mismatch.expected}, found ${f.mismatch.actual}`;
  if (f.status === 'missing') return 'listed in the manifest but not present';
  if (f.status === 'extra') return 'present but not in the manifest';
  if (f.status === 'unverifiable') return 'the manifest has no digest usable for this file';
  if (f.status === 'pending') return 'not hashed';
  return null;
}

export function triageProvenance(input: ProvenanceInput | undefined | null): TriageProvenance {
  if (!input) {
    return {
      present: false,
      verified: false,
      pinned: false,
      commit: null,
      requestedRevision: null,
      repoId: null,
      purl: null,
      manifestDigest: null,
      manifestSignature: { state: 'unsigned', fingerprint: null },
      counts: emptyCounts(),
      problems: []
    };
  }
  const { manifest, match } = input;
  const signature = input.signature ?? { state: 'unsigned' };
  const commit = manifest.source.resolvedCommit?.toLowerCase() ?? null;
  return {
    present: true,
    verified: match.allVerified,
    pinned: commit !== null && FULL_COMMIT.test(commit),
    commit,
    requestedRevision: manifest.source.requestedRevision,
    repoId: manifest.source.repoId,
    purl: manifest.source.purl,
    manifestDigest: manifest.digest.value,
    manifestSignature: {
      state: signature.state,
      fingerprint: signature.state === 'unsigned' ? null : signature.fingerprint
    },
    counts: { ...emptyCounts(), ...match.counts },
    problems: match.files
      .filter((f) => f.status !== 'verified')
      .slice(0, MAX_PROBLEMS)
      .map((f) => ({ path: f.path, status: f.status, detail: detail(f) }))
  };
}
