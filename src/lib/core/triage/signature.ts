import type { VerificationResult } from '../signing/verify-model';
import type { SignatureMethod, TriageSignature } from './types';

export interface SignatureInput {
  /** A signature file was found or given. */
  present: boolean;
  /** The signer policy the verification used. */
  method?: SignatureMethod;
  /** The identity and issuer the policy required (keyless). */
  requested?: { identity?: string; issuer?: string };
  /** What the triage reads of a verification (the app's worker result has the same fields). */
  result?: Pick<VerificationResult, 'verified' | 'lines' | 'signer'> | null;
  /** Why verification could not run (no signer policy, unreadable file …). */
  error?: string;
}

export function triageSignature(input: SignatureInput | undefined): TriageSignature {
  const none: TriageSignature = {
    present: input?.present ?? false,
    checked: false,
    verified: false,
    method: input?.method ?? null,
    identities: [],
    identity: null,
    issuer: null,
    keyFingerprint: null,
    checks: [],
    error: input?.error ?? (input?.present ? null : 'no signature found')
  };
  const result = input?.result;
  if (!input || !result) return none;
  const signer = result.signer;
  const identityOk = result.lines.some((l) => l.id === 'identity' && l.ok);
  const requested = input.requested?.identity;
  // Only an identity the verifier checked against the policy counts as proved.
  const identity =
    result.verified && identityOk && requested && signer?.identities.includes(requested) ? requested : null;
  return {
    ...none,
    checked: true,
    verified: result.verified,
    identities: signer?.identities ?? [],
    identity,
    issuer: identity ? (signer?.issuer ?? input.requested?.issuer ?? null) : null,
    keyFingerprint: signer?.keyFingerprint ?? null,
    checks: result.lines.map((l) => ({ id: l.id, ok: l.ok, reason: l.reason })),
    error: result.verified ? null : (result.lines.find((l) => !l.ok)?.reason ?? 'not verified')
  };
}
