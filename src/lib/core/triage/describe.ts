import type { TriageDependencies, TriageProvenance, TriageReport, TriageSignature } from './types';

/** A signature whose only failed check is the signer's identity: genuine, but not by the expected signer. */
export function wrongSigner(sig: TriageSignature): boolean {
  const failed = sig.checks.filter((c) => !c.ok);
  return sig.checked && !sig.verified && failed.length > 0 && failed.every((c) => c.id === 'identity');
}

/** One line for a signature, the same wherever a triage is shown (report, registry, dashboard). */
export function signatureText(sig: TriageSignature): string {
  if (sig.verified) {
    if (sig.identity || sig.identities.length)
      return `verified: signed by ${sig.identity ?? sig.identities.join(', ')}${sig.issuer ? ` (${sig.issuer})` : ''}`;
    return `verified: signed with key ${sig.keyFingerprint ?? '(unknown)'}`;
  }
  if (wrongSigner(sig))
    return `valid signature, but by ${sig.identities.join(', ') || 'another signer'}, not the signer expected`;
  if (!sig.present) return 'none';
  if (!sig.checked) return `present, not checked${sig.error ? ` (${sig.error})` : ''}`;
  return `does not verify: ${sig.error ?? 'unknown reason'}`;
}

/** Who vouches for a manifest: nobody (an unsigned claim), or a key whose signature was checked or not. */
export function manifestSignerText(prov: TriageProvenance): string {
  // Records filed before manifests could be signed have no manifestSignature: they were unsigned.
  const s = prov.manifestSignature ?? { state: 'unsigned', fingerprint: null };
  if (s.state === 'unsigned') return 'unsigned manifest (a claim, not a signature)';
  if (s.state === 'verified') return `manifest signed by key ${s.fingerprint}`;
  if (s.state === 'invalid') return 'manifest signature INVALID';
  return `manifest signed by key ${s.fingerprint ?? '(unnamed)'}, signature not checked`;
}

/** One line for the provenance check, including who vouches for the manifest. */
export function provenanceText(prov: TriageProvenance): string {
  if (!prov.present) return 'no manifest';
  const match = prov.verified
    ? `all ${prov.counts.verified} files match ${prov.commit ?? 'the manifest'}`
    : `${prov.counts.verified} match, ${prov.problems.length} do not (${prov.commit ?? 'no commit'})`;
  return `${match}; ${manifestSignerText(prov)}`;
}

/** "Not audited" is never "0 vulnerable": without an audit nothing is known about vulnerabilities. */
export function dependencyText(deps: TriageDependencies): string {
  if (deps.inputs.length === 0 && deps.packages.length === 0 && deps.skipped.length === 0)
    return 'no dependency files';
  const pinned = `${deps.packages.length} pinned`;
  if (!deps.audited) return `${pinned}, not audited (${deps.notAuditedReason ?? 'no vulnerability source'})`;
  const vulnerable = deps.packages.filter((d) => d.vulns.length > 0).length;
  return `${pinned}, ${vulnerable} vulnerable (audited ${deps.source ?? ''})`.replace(' )', ')');
}

/** ok: every check made passed; bad: one failed; pending: still running; none: nothing was checked. */
export type IntegrityState = 'ok' | 'bad' | 'pending' | 'none';

/**
 * The integrity side of a triage: whether the files are the ones signed and published. Shown beside the
 * scan's verdict, never instead of it.
 */
export function integrityOf(report: TriageReport): { state: IntegrityState; headline: string; note: string } {
  const sig = report.signature;
  const prov = report.provenance;
  const sigBad = sig.checked && !sig.verified;
  const provBad = prov.present && !prov.verified;
  const checked = sig.checked || prov.present;
  const state: IntegrityState = sigBad || provBad ? 'bad' : checked ? 'ok' : 'none';
  const headline = !checked
    ? 'Not checked: no signature verified, no manifest'
    : [
        sig.checked ? `signature ${sig.verified ? 'verified' : 'not verified'}` : 'no signature checked',
        prov.present
          ? prov.verified
            ? 'files match the manifest'
            : 'files do not match the manifest'
          : 'no manifest'
      ]
        .join(' · ')
        .replace(/^./, (c) => c.toUpperCase());
  return {
    state,
    headline,
    note: checked ? `Signature: ${signatureText(sig)}. Provenance: ${provenanceText(prov)}.` : ''
  };
}
