// Command-line options for Hub inputs, shared by scan and gate. No imports from args.ts (which imports this).
import { DEFAULT_DOWNLOAD_LIMITS, parseByteSize, type DownloadLimits } from '../core/remote/budget';

/** Spread into the parseArgs options of scan and gate. */
export const HUB_OPTIONS = {
  'max-download': { type: 'string' },
  'max-download-total': { type: 'string' },
  'token-env': { type: 'string' },
  'check-hub': { type: 'boolean', default: false }
} as const;

export interface HubOptions {
  limits: DownloadLimits;
  /** Read from the environment variable named by --token-env; never from the command line itself. */
  token: string | null;
  /** Compare hub cache snapshots with the Hub listing of their commit (network). */
  checkHub: boolean;
}

function size(value: unknown, flag: string, fallback: number): number | string {
  if (value === undefined) return fallback;
  const n = parseByteSize(String(value));
  return n === null || n <= 0 ? `${flag} must be a size such as 512MiB, 2GiB or 1048576` : n;
}

/** The Hub options, or the usage problem with them. */
export function hubOptionsFrom(values: Record<string, unknown>, env = process.env): HubOptions | string {
  const name = values['token-env'] as string | undefined;
  let token: string | null = null;
  if (name !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      return '--token-env takes the name of an environment variable';
    token = env[name]?.trim() || null;
    if (!token) return `--token-env ${name}: that environment variable is empty or not set`;
  }
  const perFile = size(values['max-download'], '--max-download', DEFAULT_DOWNLOAD_LIMITS.perFileBytes);
  const total = size(
    values['max-download-total'],
    '--max-download-total',
    DEFAULT_DOWNLOAD_LIMITS.totalBytes
  );
  if (typeof perFile === 'string') return perFile;
  if (typeof total === 'string') return total;
  return {
    limits: { perFileBytes: perFile, totalBytes: total },
    token,
    checkHub: values['check-hub'] === true
  };
}
