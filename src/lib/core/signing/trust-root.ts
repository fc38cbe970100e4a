import { TrustedRoot } from '@sigstore/protobuf-specs';
import { PUBLIC_GOOD_TRUSTED_ROOT, PUBLIC_GOOD_TRUST_SOURCE } from '../../generated/public-good-trust';

export const MAX_TRUST_JSON_BYTES = 4 * 1024 * 1024;

export interface TrustRootSummary {
  /** Where it came from: the built-in public-good root or a user file. */
  origin: string;
  mediaType: string;
  certificateAuthorities: number;
  tlogs: number;
  ctlogs: number;
  timestampAuthorities: number;
  /** Earliest start and latest end (null = open) over every authority's validity. */
  validFrom: string | null;
  validUntil: string | null;
}

export interface LoadedTrustRoot {
  root: TrustedRoot;
  summary: TrustRootSummary;
}

const CLIENT_TRUST_CONFIG = /^application\/vnd\.dev\.sigstore\.clienttrustconfig/;
const TRUSTED_ROOT = /^application\/vnd\.dev\.sigstore\.trustedroot/;

function summarise(root: TrustedRoot, origin: string): TrustRootSummary {
  const ranges = [
    ...root.certificateAuthorities.map((a) => a.validFor),
    ...root.timestampAuthorities.map((a) => a.validFor),
    ...root.tlogs.map((t) => t.publicKey?.validFor),
    ...root.ctlogs.map((t) => t.publicKey?.validFor)
  ];
  const starts = ranges.map((r) => r?.start?.getTime()).filter((t): t is number => t !== undefined);
  const open = ranges.some((r) => !r?.end);
  const ends = ranges.map((r) => r?.end?.getTime()).filter((t): t is number => t !== undefined);
  return {
    origin,
    mediaType: root.mediaType,
    certificateAuthorities: root.certificateAuthorities.length,
    tlogs: root.tlogs.length,
    ctlogs: root.ctlogs.length,
    timestampAuthorities: root.timestampAuthorities.length,
    validFrom: starts.length ? new Date(Math.min(...starts)).toISOString() : null,
    validUntil: open || ends.length === 0 ? null : new Date(Math.max(...ends)).toISOString()
  };
}

/** Accepts a trusted_root.json or a ClientTrustConfig (its trustedRoot is used) as parsed JSON. */
export function trustRootFromJSON(json: unknown, origin: string): LoadedTrustRoot {
  if (typeof json !== 'object' || json === null) throw new Error('trust root: not a JSON object');
  const mediaType = String((json as { mediaType?: unknown }).mediaType ?? '');
  let rootJson: unknown = json;
  if (CLIENT_TRUST_CONFIG.test(mediaType)) {
    rootJson = (json as { trustedRoot?: unknown }).trustedRoot;
    if (typeof rootJson !== 'object' || rootJson === null)
      throw new Error('ClientTrustConfig has no trustedRoot');
  } else if (mediaType && !TRUSTED_ROOT.test(mediaType)) {
    throw new Error(`trust root: unsupported mediaType ${mediaType}`);
  }
  const root = TrustedRoot.fromJSON(rootJson);
  // A log key's validity start is required by the spec; the library would read a missing one as "forever".
  const undated = root.tlogs.find((t) => !t.publicKey?.validFor?.start);
  if (undated)
    throw new Error(`trust root: transparency log ${undated.baseUrl || '(unnamed)'} has no validFor.start`);
  if (root.certificateAuthorities.length + root.tlogs.length === 0) {
    throw new Error('trust root has neither certificate authorities nor transparency logs');
  }
  return { root, summary: summarise(root, origin) };
}

export function parseTrustRootText(text: string, origin: string): LoadedTrustRoot {
  if (text.length > MAX_TRUST_JSON_BYTES)
    throw new Error(`trust root is larger than ${MAX_TRUST_JSON_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`trust root is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return trustRootFromJSON(json, origin);
}

let publicGood: LoadedTrustRoot | undefined;

/** The Sigstore public-good root shipped with the app (derived from @sigstore/tuf at build time). */
export function publicGoodTrustRoot(): LoadedTrustRoot {
  publicGood ??= trustRootFromJSON(
    PUBLIC_GOOD_TRUSTED_ROOT,
    `Sigstore public-good (${PUBLIC_GOOD_TRUST_SOURCE.package}, sha256 ${PUBLIC_GOOD_TRUST_SOURCE.sha256.slice(0, 12)}…)`
  );
  return publicGood;
}
