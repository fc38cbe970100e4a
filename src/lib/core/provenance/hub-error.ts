import { HubError } from './errors';

/** What the failing request was about, to word a 404 without an X-Error-Code. */
export type RequestSubject = 'repo' | 'revision' | 'tree' | 'commits';

export function parseRetryAfter(headers: Headers, now = Date.now()): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter.trim())) return Number(retryAfter.trim());
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  // RateLimit: "api";r=0;t=42 (IETF draft); browsers only see it if the Hub exposes it.
  const t = /;\s*t=(\d+)/.exec(headers.get('ratelimit') ?? '');
  return t ? Number(t[1]) : null;
}

export function errorFromResponse(
  res: Pick<Response, 'status' | 'headers'>,
  subject: RequestSubject,
  label: string,
  authenticated: boolean
): HubError {
  const code = res.headers.get('x-error-code') ?? '';
  const serverMessage = (res.headers.get('x-error-message') ?? '').slice(0, 200);
  const s = res.status;
  if (/disabled/i.test(serverMessage))
    return new HubError('HUB_DISABLED', `${label} has been disabled on the Hub: ${serverMessage}`, s);
  if (code === 'GatedRepo' || (s === 403 && /gated|access to model/i.test(serverMessage)))
    return new HubError(
      'HUB_GATED',
      authenticated
        ? `${label} is gated and this token has not been granted access: accept the conditions on the repo page with that account.`
        : `${label} is gated: add a Hugging Face token of an account that was granted access.`,
      s
    );
  if (s === 401)
    return authenticated && /invalid|credentials/i.test(serverMessage)
      ? new HubError(
          'HUB_UNAUTHORIZED',
          'The Hub rejected the token (invalid or expired). Check it and try again.',
          s
        )
      : new HubError(
          'HUB_UNAUTHORIZED',
          authenticated
            ? `${label} was not found, or this token cannot read it.`
            : `${label} was not found, or it is private: a token with read access is needed to see private repos.`,
          s
        );
  if (s === 403)
    return new HubError(
      'HUB_FORBIDDEN',
      `The Hub refused access to ${label}${serverMessage ? `: ${serverMessage}` : ''}.`,
      s
    );
  if (s === 404) {
    if (code === 'RevisionNotFound' || (!code && subject === 'revision'))
      return new HubError(
        'HUB_REVISION_NOT_FOUND',
        `${label}: this revision (branch, tag or commit) does not exist.`,
        s
      );
    if (code === 'EntryNotFound' || (!code && subject === 'tree'))
      return new HubError('HUB_ENTRY_NOT_FOUND', `${label}: this path does not exist at that revision.`, s);
    return new HubError('HUB_REPO_NOT_FOUND', `${label} does not exist on the Hub (or it is private).`, s);
  }
  if (s === 429) {
    const wait = parseRetryAfter(res.headers);
    return new HubError(
      'HUB_RATE_LIMITED',
      `The Hub is rate-limiting requests from this address. ${
        wait === null ? 'Its limits reset every 5 minutes; try again then.' : `Try again in ${wait} s.`
      }`,
      s,
      wait
    );
  }
  if (s >= 500)
    return new HubError('HUB_SERVER', `The Hub answered ${s} (server error); try again later.`, s);
  return new HubError(
    'HUB_BAD_RESPONSE',
    `The Hub answered ${s} for ${label}${serverMessage ? `: ${serverMessage}` : ''}.`,
    s
  );
}

/** fetch rejects with a TypeError both when offline and when CORS blocks the response; tell them apart if we can. */
export function errorFromFetchFailure(err: unknown, online: boolean | undefined): HubError {
  const detail = err instanceof Error ? err.message.slice(0, 120) : String(err).slice(0, 120);
  if (online === false) return new HubError('HUB_OFFLINE', 'You are offline: the Hub cannot be reached.');
  return new HubError(
    'HUB_NETWORK',
    `The request to huggingface.co failed before any answer (${detail}). Either the network is down, a proxy or ` +
      'extension blocked it, or the browser refused the cross-origin (CORS) response.'
  );
}
