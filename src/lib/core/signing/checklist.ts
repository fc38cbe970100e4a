/** One line of the cosign-like checklist: plain data so it crosses a worker boundary as is. */
export interface CheckLine {
  id: CheckId;
  ok: boolean;
  label: string;
  reason: string;
}

export type CheckId =
  | 'bundle'
  | 'signature'
  | 'chain'
  | 'tlog'
  | 'sct'
  | 'timestamp'
  | 'identity'
  | 'subject'
  | 'manifest'
  | 'files';

export const LABELS: Record<CheckId, string> = {
  bundle: 'Signature bundle is well formed',
  signature: 'Signature is valid',
  chain: 'Certificate chains to a trusted root at signing time',
  tlog: 'Transparency-log inclusion verified',
  sct: 'Certificate transparency (SCT) verified',
  timestamp: 'Signing time is attested',
  identity: 'Signer identity and issuer match the policy',
  subject: 'Signed subject matches the artifact',
  manifest: 'Signed manifest is consistent (ROOT digest)',
  files: 'Every file matches the signature'
};

export function line(id: CheckId, ok: boolean, reason: string): CheckLine {
  return { id, ok, label: LABELS[id], reason };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message !== err.message
      ? `${err.message}: ${cause.message}`
      : err.message;
  }
  return String(err);
}
