import { abortError, throwIfAborted } from '../cancel';
import { HubError } from '../provenance/errors';
import { errorFromResponse, parseRetryAfter } from '../provenance/hub-error';
import { HUB_ORIGIN } from '../provenance/hub-ref';
import { HUB_FILE_ORIGINS } from './file-hosts';
import { Semaphore } from './semaphore';
import type { Transport, TransportResponse } from './transport';

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
const MAX_REDIRECTS = 5;

export interface RangeFetcherOptions {
  transport: Transport;
  /** Sent as a Bearer token to the Hub origin only, never to the hosts it redirects to. */
  token?: string | null;
  /** The Hub origin; only tests point it elsewhere. */
  hub?: string;
  /** Origins a file download may be redirected to; only tests point them elsewhere. */
  fileOrigins?: readonly string[];
  /** HTTP requests in flight at once, across every file of the run. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
}

/** One file on the Hub, read by range. `location` remembers where the Hub redirected it, to skip the hop. */
export interface RemoteTarget {
  resolveUrl: string;
  size: number;
  label: string;
  location: string | null;
}

export interface FetchStats {
  requests: number;
  retries: number;
  bytes: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal.reason));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `bytes a-b/total` → numbers; null when absent or malformed. */
export function parseContentRange(
  value: string | undefined
): { start: number; end: number; total: number | null } | null {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? '');
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? null : Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return null;
  return { start, end, total };
}

class Retryable extends Error {
  constructor(
    readonly error: HubError,
    readonly waitMs: number | null
  ) {
    super(error.message);
  }
}

/**
 * Range GETs of Hub files (`resolve/{commit}/{path}`), following the Hub's redirect to its LFS/Xet hosts,
 * with bounded concurrency and retries on 429, 5xx and network failures (honouring Retry-After).
 */
export class RangeFetcher {
  readonly stats: FetchStats = { requests: 0, retries: 0, bytes: 0 };
  readonly hub: string;
  readonly #transport: Transport;
  readonly #token: string | null;
  readonly #fileOrigins: Set<string>;
  readonly #slots: Semaphore;
  readonly #retry: RetryPolicy;
  /** Learnt once: the platform (a browser) hides redirects, so let it follow them. */
  #platformFollows = false;

  constructor(options: RangeFetcherOptions) {
    this.#transport = options.transport;
    this.#token = options.token?.trim() || null;
    this.hub = new URL(options.hub ?? HUB_ORIGIN).origin;
    this.#fileOrigins = new Set((options.fileOrigins ?? HUB_FILE_ORIGINS).map((o) => new URL(o).origin));
    this.#slots = new Semaphore(options.concurrency ?? 4);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  #redact(text: string): string {
    return this.#token ? text.split(this.#token).join('[token]') : text;
  }

  #allowed(url: string): 'hub' | 'file' | null {
    const origin = new URL(url).origin;
    if (origin === this.hub) return 'hub';
    return this.#fileOrigins.has(origin) ? 'file' : null;
  }

  /** Bytes [start, end) of the file, exactly; the size the server states must be the listed size. */
  async fetchRange(
    target: RemoteTarget,
    start: number,
    end: number,
    signal?: AbortSignal
  ): Promise<Uint8Array> {
    if (!(start >= 0 && end > start && end <= target.size))
      throw new RangeError(`invalid remote range ${start}-${end} of ${target.size}`);
    return this.#slots.run(async () => {
      for (let attempt = 1; ; attempt++) {
        throwIfAborted(signal);
        try {
          return await this.#once(target, start, end, signal);
        } catch (err) {
          if (!(err instanceof Retryable)) throw err;
          if (attempt >= this.#retry.attempts) throw err.error;
          if (err.waitMs !== null && err.waitMs > this.#retry.maxDelayMs) throw err.error;
          const backoff = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1));
          this.stats.retries++;
          await sleep(err.waitMs ?? backoff * (0.5 + Math.random() / 2), signal);
        }
      }
    });
  }

  async #request(url: string, start: number, end: number, signal?: AbortSignal): Promise<TransportResponse> {
    const headers: Record<string, string> = { Range: `bytes=${start}-${end - 1}` };
    if (this.#token && this.#allowed(url) === 'hub') headers.Authorization = `Bearer ${this.#token}`;
    this.stats.requests++;
    try {
      return await this.#transport(
        {
          url,
          headers,
          redirect: this.#platformFollows ? 'follow' : 'manual',
          maxBodyBytes: end - start
        },
        signal
      );
    } catch (err) {
      throwIfAborted(signal);
      const detail = err instanceof Error ? err.message : String(err);
      throw new Retryable(
        new HubError(
          'HUB_NETWORK',
          this.#redact(`The download request failed before any answer (${detail.slice(0, 160)}).`)
        ),
        null
      );
    }
  }

  async #once(target: RemoteTarget, start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
    let url = target.location ?? target.resolveUrl;
    const fromCache = target.location !== null;
    for (let hop = 0; ; hop++) {
      if (hop > MAX_REDIRECTS)
        throw new HubError('HUB_BAD_RESPONSE', `${target.label}: more than ${MAX_REDIRECTS} redirects.`);
      const res = await this.#request(url, start, end, signal);
      if (res.opaqueRedirect) {
        // A browser: it follows redirects itself (dropping Authorization across origins, per Fetch).
        this.#platformFollows = true;
        continue;
      }
      const location = res.headers['location'];
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, url).href;
        if (!this.#allowed(next))
          throw new HubError(
            'HUB_BAD_RESPONSE',
            `${target.label}: the Hub redirected the download to ${new URL(next).host}, which is not one of its file hosts; refusing to follow.`
          );
        url = next;
        continue;
      }
      const answeredBy = this.#allowed(res.url);
      if (!answeredBy)
        throw new HubError(
          'HUB_BAD_RESPONSE',
          `${target.label}: the download ended at ${new URL(res.url).host}, which is not a Hub file host.`
        );
      if (res.status === 206 || res.status === 200) {
        const bytes = this.#checkBody(target, res, start, end);
        if (res.url !== target.resolveUrl) target.location = res.url;
        else if (url !== target.resolveUrl) target.location = url;
        this.stats.bytes += res.body.length;
        return bytes;
      }
      if (fromCache && hop === 0 && (res.status === 403 || res.status === 401 || res.status === 404)) {
        // A signed CDN address expired: ask the Hub again.
        target.location = null;
        url = target.resolveUrl;
        continue;
      }
      throw this.#failure(target, res);
    }
  }

  #checkBody(target: RemoteTarget, res: TransportResponse, start: number, end: number): Uint8Array {
    const want = end - start;
    if (res.status === 206) {
      const range = parseContentRange(res.headers['content-range']);
      if (!range || range.start !== start || range.end !== end - 1)
        throw new HubError(
          'HUB_BAD_RESPONSE',
          `${target.label}: the server answered range ${res.headers['content-range'] ?? '(none)'} for bytes ${start}-${end - 1}.`,
          206
        );
      if (range.total !== null && range.total !== target.size)
        throw new HubError(
          'HUB_BAD_RESPONSE',
          `${target.label}: the server holds ${range.total} bytes but the Hub listing says ${target.size}: the file is not the one listed.`,
          206
        );
    } else {
      // 200: the server ignored Range. Only the head of the file can be taken from such an answer.
      const length = Number(res.headers['content-length'] ?? NaN);
      if (start !== 0)
        throw new HubError('HUB_BAD_RESPONSE', `${target.label}: the server ignored the Range request.`, 200);
      if (Number.isFinite(length) && length !== target.size)
        throw new HubError(
          'HUB_BAD_RESPONSE',
          `${target.label}: the server sent ${length} bytes but the Hub listing says ${target.size}.`,
          200
        );
    }
    if (res.body.length !== want)
      throw new Retryable(
        new HubError(
          'HUB_NETWORK',
          `${target.label}: got ${res.body.length} of ${want} bytes at offset ${start} (connection cut?).`
        ),
        null
      );
    return res.body;
  }

  #failure(target: RemoteTarget, res: TransportResponse): Error {
    const headers = new Headers(res.headers);
    if (res.status === 416)
      return new HubError(
        'HUB_BAD_RESPONSE',
        `${target.label}: the server has fewer bytes than the Hub listing says (416): the file is not the one listed.`,
        416
      );
    const e = errorFromResponse({ status: res.status, headers }, 'tree', target.label, this.#token !== null);
    const error = new HubError(e.code, this.#redact(e.message), e.status, e.retryAfterSeconds);
    if (res.status === 429 || res.status >= 500) {
      const wait = res.status === 429 ? parseRetryAfter(headers) : null;
      return new Retryable(error, wait === null ? null : wait * 1000);
    }
    return error;
  }
}
