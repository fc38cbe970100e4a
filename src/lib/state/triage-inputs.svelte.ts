import type { DependencyInput, ProvenanceInput, SignatureInput } from '../core/triage';

/**
 * Results the Provenance, Signatures and Dependencies pages publish for the registry and policy pages:
 * plain data, optional, replaced (never mutated) when a page has a newer result, null when it has none.
 */
export class TriageInputs {
  provenance = $state.raw<ProvenanceInput | null>(null);
  signature = $state.raw<SignatureInput | null>(null);
  dependencies = $state.raw<DependencyInput | null>(null);
}

/** One per tab, like the scan session: results survive client-side navigation between pages. */
export const triageInputs = new TriageInputs();
