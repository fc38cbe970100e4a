export interface IdentityPolicy {
  identity: string;
  issuer: string;
  /** exact (default): string equality; regex: the pattern must match the whole value. */
  match?: 'exact' | 'regex';
}

const MAX_PATTERN = 1024;

function matches(value: string | undefined, expected: string, match: 'exact' | 'regex'): boolean {
  if (value === undefined) return false;
  if (match === 'exact') return value === expected;
  if (expected.length > MAX_PATTERN) throw new Error(`pattern longer than ${MAX_PATTERN} characters`);
  return new RegExp(`^(?:${expected})$`, 'u').test(value);
}

export function checkIdentity(
  policy: IdentityPolicy,
  identities: string[],
  issuer: string | undefined
): { ok: boolean; reason: string } {
  const match = policy.match ?? 'exact';
  const how = match === 'exact' ? 'exactly' : 'as an anchored pattern';
  const seen = identities.length ? identities.join(', ') : '(none)';
  if (!identities.some((id) => matches(id, policy.identity, match))) {
    return {
      ok: false,
      reason: `identity ${JSON.stringify(policy.identity)} does not match ${how}; certificate has ${seen}`
    };
  }
  if (!matches(issuer, policy.issuer, match)) {
    return {
      ok: false,
      reason: `issuer ${JSON.stringify(policy.issuer)} does not match ${how}; certificate has ${issuer ?? '(none)'}`
    };
  }
  return {
    ok: true,
    reason: `signed by ${identities.find((id) => matches(id, policy.identity, match))} via ${issuer}`
  };
}
