import { HubError, HubRefError, type HubErrorKind } from '../core/provenance';

export interface ProblemView {
  kind: HubErrorKind | 'input' | 'manifest' | 'other';
  message: string;
  retryAfterSeconds: number | null;
}

export function problemOf(err: unknown): ProblemView {
  if (err instanceof HubError)
    return { kind: err.kind, message: err.message, retryAfterSeconds: err.retryAfterSeconds };
  if (err instanceof HubRefError) return { kind: 'input', message: err.message, retryAfterSeconds: null };
  const e = err as { name?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message.slice(0, 400) : String(err).slice(0, 400);
  const manifestError = e?.name === 'ManifestError' || e?.name === 'ShareLinkError';
  return { kind: manifestError ? 'manifest' : 'other', message, retryAfterSeconds: null };
}
