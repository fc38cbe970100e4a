import { CodedError } from '../errors';

// Every provenance code is unique across these classes, so a code alone says what failed, also on the page
// side of a worker boundary, where only `name`, `message` and `code` survive (see workers/comlink.ts).

export type HubErrorCode =
  /** The repo is gated and the token (if any) was not granted access. */
  | 'HUB_GATED'
  /** 401: the token was rejected, or the repo is private or missing. */
  | 'HUB_UNAUTHORIZED'
  /** 403 for another reason than gating. */
  | 'HUB_FORBIDDEN'
  /** The repo was disabled on the Hub. */
  | 'HUB_DISABLED'
  | 'HUB_REPO_NOT_FOUND'
  | 'HUB_REVISION_NOT_FOUND'
  /** A path that does not exist at that revision. */
  | 'HUB_ENTRY_NOT_FOUND'
  /** 429; `retryAfterSeconds` says when to retry, when the Hub said so. */
  | 'HUB_RATE_LIMITED'
  /** The browser is offline. */
  | 'HUB_OFFLINE'
  /** The request failed before any answer (network down, blocked, CORS). */
  | 'HUB_NETWORK'
  /** 5xx. */
  | 'HUB_SERVER'
  /** An answer that is not what the Hub API returns (status, JSON, fields, pagination, redirects, ranges). */
  | 'HUB_BAD_RESPONSE'
  /** A bound stopped the read (response size, file count). */
  | 'HUB_LIMIT';

/** A failed Hub request, with a message an analyst can act on. */
export class HubError extends CodedError<HubErrorCode> {
  override readonly name = 'HubError';

  constructor(
    code: HubErrorCode,
    message: string,
    readonly status: number | null = null,
    /** Seconds to wait before retrying (429), when the Hub said so in a header the page can read. */
    readonly retryAfterSeconds: number | null = null
  ) {
    super(code, message);
  }
}

export type HubRefErrorCode =
  /** Nothing was entered. */
  | 'HUB_REF_EMPTY'
  /** Not a repo id (grammar, length, a Hub page, extra segments after it). */
  | 'HUB_REF_REPO_ID'
  /** Not a branch, tag, commit or refs/pr/N. */
  | 'HUB_REF_REVISION'
  /** Not a path inside a repo. */
  | 'HUB_REF_PATH'
  /** Not a Hub URL: not a URL, not https, another host, bad percent-encoding, a Hub origin that is not http(s). */
  | 'HUB_REF_URL';

/** A repo id, revision, path or Hub URL that does not follow the Hub's grammar. */
export class HubRefError extends CodedError<HubRefErrorCode> {
  override readonly name = 'HubRefError';
}

export type ManifestErrorCode =
  /** The text is larger than a manifest may be (JSON or YAML). */
  | 'MANIFEST_TOO_LARGE'
  /** The text is neither JSON nor YAML. */
  | 'MANIFEST_SYNTAX'
  /** A document that is not one of Safeload's manifest forms (or an older statement without its manifest). */
  | 'MANIFEST_UNRECOGNISED'
  /** A field does not follow the manifest schema. */
  | 'MANIFEST_INVALID'
  /** The content does not hash to the recorded digest, or a statement does not match the manifest it holds. */
  | 'MANIFEST_ALTERED'
  /** A Sigstore bundle that does not carry a signed in-toto Statement. */
  | 'MANIFEST_BUNDLE_INVALID'
  /** The manifest names no repo, so it cannot be compared with the Hub. */
  | 'MANIFEST_NO_REPO';

/** A manifest (file, statement or signed bundle) that cannot be read or trusted as it stands. */
export class ManifestError extends CodedError<ManifestErrorCode> {
  override readonly name = 'ManifestError';
}

export type ShareLinkErrorCode =
  /** The link has no `#m=` manifest. */
  | 'SHARE_LINK_EMPTY'
  /** Characters, base64url, compressed data (also cut short), JSON or the signature pair are damaged. */
  | 'SHARE_LINK_DAMAGED'
  /** The link, what it expands to, or the files it lists pass a bound. */
  | 'SHARE_LINK_TOO_LARGE';

/** A `#m=` share link that cannot be decoded (its manifest is then checked as a manifest). */
export class ShareLinkError extends CodedError<ShareLinkErrorCode> {
  override readonly name = 'ShareLinkError';
}

export type CanonicalJsonErrorCode =
  /** Nested deeper than canonical JSON is written. */
  | 'CANONICAL_JSON_TOO_DEEP'
  /** A value JSON cannot hold (NaN, Infinity, a class instance, a function). */
  | 'CANONICAL_JSON_VALUE';

export class CanonicalJsonError extends CodedError<CanonicalJsonErrorCode> {
  override readonly name = 'CanonicalJsonError';
}

export type ProvenanceErrorCode =
  HubErrorCode | HubRefErrorCode | ManifestErrorCode | ShareLinkErrorCode | CanonicalJsonErrorCode;
