import type { Dependency, InputProblem } from './types';

/** The user-info of a URL ("user:password@", "token@"): everything up to the last "@" before the path. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
/** Query parameters that carry secrets (tokens, keys, signatures of pre-signed URLs). */
const SECRET_PARAM =
  /([?&;](?:[\w.-]*(?:token|key|secret|passw(?:or)?d|pwd|signature|sig|auth|credential)[\w.-]*)=)[^&#\s]*/gi;

/**
 * Removes credentials from URLs in a text: the whole user-info (a user name is often the token itself, as
 * in https://ghp_…@github.com) and the values of secret-looking query parameters, the way pip redacts
 * them in its own output ("****").
 */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO, '$1****@').replace(SECRET_PARAM, '$1****');
}

/** A dependency with every text that may hold a URL redacted. */
export function redactDependency(d: Dependency): Dependency {
  return {
    ...d,
    name: redactCredentials(d.name),
    displayName: redactCredentials(d.displayName),
    specifier: redactCredentials(d.specifier),
    ...(d.marker !== undefined ? { marker: redactCredentials(d.marker) } : {}),
    ...(d.skipReason !== undefined ? { skipReason: redactCredentials(d.skipReason) } : {})
  };
}

export function redactProblem(p: InputProblem): InputProblem {
  return { ...p, message: redactCredentials(p.message) };
}
