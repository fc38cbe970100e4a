import { formatBytes } from '../bytes/format';

export { formatBytes };

/** How many bytes a remote scan may download: per file and for the whole run. The user sees and sets both. */
export interface DownloadLimits {
  perFileBytes: number;
  totalBytes: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  perFileBytes: 256 * 1024 * 1024,
  totalBytes: 2 * 1024 ** 3
};

/** Thrown when a read would pass a download limit: the file is then not fully analysed (never clean). */
export class DownloadBudgetError extends Error {
  override name = 'DownloadBudgetError';
  constructor(
    readonly scope: 'file' | 'run',
    readonly limit: number,
    readonly offset: number
  ) {
    super(
      `reading on at offset ${offset} would download more than the ${scope === 'file' ? 'per-file' : 'per-run'} limit of ${formatBytes(limit)}`
    );
  }
}

/** Parses "64MiB", "1.5G", "200mb", "1048576" into bytes; null when it is not a size. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return null;
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[
    m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'
  ];
  const value = Math.floor(Number(m[1]) * scale);
  return Number.isSafeInteger(value) ? value : null;
}

/** The run's download account; each file draws from it through its own per-file account. */
export class DownloadBudget {
  used = 0;
  constructor(readonly limits: DownloadLimits) {}

  forFile(): FileBudget {
    return new FileBudget(this);
  }
}

export class FileBudget {
  used = 0;
  constructor(private readonly run: DownloadBudget) {}

  /** Reserves `bytes` before a request; throws DownloadBudgetError when either limit would be passed. */
  claim(bytes: number, offset: number): void {
    const { perFileBytes, totalBytes } = this.run.limits;
    if (this.used + bytes > perFileBytes) throw new DownloadBudgetError('file', perFileBytes, offset);
    if (this.run.used + bytes > totalBytes) throw new DownloadBudgetError('run', totalBytes, offset);
    this.used += bytes;
    this.run.used += bytes;
  }

  /** Gives back what a request reserved but did not receive. */
  refund(bytes: number): void {
    this.used -= bytes;
    this.run.used -= bytes;
  }
}
