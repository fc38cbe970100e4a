import { errorCode } from '../core/errors';
import { HubError, type ProvenanceErrorCode } from '../core/provenance/errors';

/** What the page shows a problem as (its title, whether it can be retried): the `data-problem` attribute. */
export type ProblemKind =
  | 'gated'
  | 'unauthorized'
  | 'forbidden'
  | 'disabled'
  | 'repo-not-found'
  | 'revision-not-found'
  | 'entry-not-found'
  | 'rate-limited'
  | 'offline'
  | 'network'
  | 'server'
  | 'bad-response'
  | 'limit'
  | 'input'
  | 'manifest'
  | 'other';

export interface ProblemView {
  kind: ProblemKind;
  message: string;
  retryAfterSeconds: number | null;
}

const KIND_OF: Record<ProvenanceErrorCode, ProblemKind> = {
  HUB_GATED: 'gated',
  HUB_UNAUTHORIZED: 'unauthorized',
  HUB_FORBIDDEN: 'forbidden',
  HUB_DISABLED: 'disabled',
  HUB_REPO_NOT_FOUND: 'repo-not-found',
  HUB_REVISION_NOT_FOUND: 'revision-not-found',
  HUB_ENTRY_NOT_FOUND: 'entry-not-found',
  HUB_RATE_LIMITED: 'rate-limited',
  HUB_OFFLINE: 'offline',
  HUB_NETWORK: 'network',
  HUB_SERVER: 'server',
  HUB_BAD_RESPONSE: 'bad-response',
  HUB_LIMIT: 'limit',
  HUB_REF_EMPTY: 'input',
  HUB_REF_REPO_ID: 'input',
  HUB_REF_REVISION: 'input',
  HUB_REF_PATH: 'input',
  HUB_REF_URL: 'input',
  MANIFEST_TOO_LARGE: 'manifest',
  MANIFEST_SYNTAX: 'manifest',
  MANIFEST_UNRECOGNISED: 'manifest',
  MANIFEST_INVALID: 'manifest',
  MANIFEST_ALTERED: 'manifest',
  MANIFEST_BUNDLE_INVALID: 'manifest',
  MANIFEST_NO_REPO: 'other',
  SHARE_LINK_EMPTY: 'manifest',
  SHARE_LINK_DAMAGED: 'manifest',
  SHARE_LINK_TOO_LARGE: 'manifest',
  CANONICAL_JSON_TOO_DEEP: 'other',
  CANONICAL_JSON_VALUE: 'other'
};

/**
 * How a failure is shown, by its code: errors from the provenance worker arrive as plain data (name, message,
 * code), so the code is what is matched, never the class or the text.
 */
export function problemOf(err: unknown): ProblemView {
  const code = errorCode(err);
  const kind =
    code !== undefined && Object.hasOwn(KIND_OF, code) ? KIND_OF[code as ProvenanceErrorCode] : 'other';
  const e = err as { message?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return {
    kind,
    // A Hub or input message is ours and short; anything else is cut to what the page shows.
    message: kind === 'other' || kind === 'manifest' ? message.slice(0, 400) : message,
    retryAfterSeconds: err instanceof HubError ? err.retryAfterSeconds : null
  };
}
