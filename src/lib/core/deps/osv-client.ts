import { DepsError } from './errors';
import { readBoundedText } from './bounded-body';
import { asOsvRecord, type OsvRecord } from './osv-record';
import type { PackageQuery, VulnSource } from './source';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Record cache keyed by id and modified date; the app implements it with IndexedDB, tests and the CLI with a Map. */
export interface OsvCache {
  get(id: string, modified: string): Promise<OsvRecord | undefined>;
  put(record: OsvRecord): Promise<void>;
}

export class MemoryOsvCache implements OsvCache {
  readonly records = new Map<string, OsvRecord>();
  async get(id: string, modified: string): Promise<OsvRecord | undefined> {
    const hit = this.records.get(id);
    return hit && hit.modified === modified ? hit : undefined;
  }
  async put(record: OsvRecord): Promise<void> {
    this.records.set(record.id, record);
  }
}

export interface OsvClientOptions {
  fetch: FetchLike;
  /** Default https://api.osv.dev */
  baseUrl?: string;
  cache?: OsvCache;
  concurrency?: number;
  maxResponseBytes?: number;
  /** Pages followed per query before the answer is declared incomplete. */
  maxPages?: number;
  /** Distinct vulnerability ids fetched in one lookup. */
  maxVulnIds?: number;
}

export const OSV_API = 'https://api.osv.dev';
const BATCH = 1000;

interface BatchResult {
  vulns?: { id?: unknown; modified?: unknown }[];
  next_page_token?: unknown;
}

/** osv.dev: POST /v1/querybatch (paginated per query) for ids, then GET /v1/vulns/{id} for records not in the cache. */
export class OsvClient implements VulnSource {
  readonly kind = 'online';
  readonly requests: string[] = [];
  readonly #o: Required<Omit<OsvClientOptions, 'cache'>> & { cache?: OsvCache };

  constructor(options: OsvClientOptions) {
    this.#o = {
      baseUrl: OSV_API,
      concurrency: 6,
      maxResponseBytes: 32 * 1024 * 1024,
      maxPages: 50,
      maxVulnIds: 20_000,
      ...options
    };
    this.#o.baseUrl = this.#o.baseUrl.replace(/\/+$/, '');
  }

  async #json(path: string, init: RequestInit, signal?: AbortSignal): Promise<unknown> {
    const url = `${this.#o.baseUrl}${path}`;
    this.requests.push(`${init.method ?? 'GET'} ${path}`);
    let res: Response;
    try {
      res = await this.#o.fetch(url, { ...init, signal });
    } catch (err) {
      throw new DepsError('OSV_API', `could not reach ${url}: ${(err as Error).message}`);
    }
    const text = await readBoundedText(res, this.#o.maxResponseBytes).catch((err: Error) => {
      throw new DepsError('OSV_API', `${url}: ${err.message}`, res.status);
    });
    if (!res.ok)
      throw new DepsError('OSV_API', `${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`, res.status);
    try {
      return JSON.parse(text);
    } catch {
      throw new DepsError('OSV_API', `${url} did not return JSON`, res.status);
    }
  }

  /** Vulnerability ids (with modified dates) per query, following next_page_token for the queries that have one. */
  async queryIds(queries: readonly PackageQuery[], signal?: AbortSignal): Promise<Map<string, string>[]> {
    const out = queries.map(() => new Map<string, string>());
    for (let start = 0; start < queries.length; start += BATCH) {
      let open = queries
        .slice(start, start + BATCH)
        .map((q, i) => ({ index: start + i, q, token: undefined as string | undefined }));
      for (let page = 0; open.length > 0; page++) {
        if (page >= this.#o.maxPages)
          throw new DepsError(
            'OSV_API',
            `osv.dev kept paginating after ${this.#o.maxPages} pages; results incomplete`
          );
        const body = {
          queries: open.map(({ q, token }) => ({
            package: { name: q.name, ecosystem: 'PyPI' },
            version: q.version,
            ...(token ? { page_token: token } : {})
          }))
        };
        const reply = (await this.#json(
          '/v1/querybatch',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
          signal
        )) as {
          results?: BatchResult[];
        };
        if (!Array.isArray(reply?.results) || reply.results.length !== open.length) {
          throw new DepsError(
            'OSV_API',
            `querybatch returned ${Array.isArray(reply?.results) ? reply.results.length : 'no'} results for ${open.length} queries`
          );
        }
        const next: typeof open = [];
        reply.results.forEach((r, i) => {
          for (const v of Array.isArray(r?.vulns) ? r.vulns : []) {
            if (typeof v?.id === 'string')
              out[open[i].index].set(v.id, typeof v.modified === 'string' ? v.modified : '');
          }
          if (typeof r?.next_page_token === 'string' && r.next_page_token)
            next.push({ ...open[i], token: r.next_page_token });
        });
        open = next;
      }
    }
    return out;
  }

  async #record(id: string, modified: string, signal?: AbortSignal): Promise<OsvRecord> {
    const cached = modified ? await this.#o.cache?.get(id, modified) : undefined;
    if (cached) return cached;
    const record = asOsvRecord(
      await this.#json(`/v1/vulns/${encodeURIComponent(id)}`, { method: 'GET' }, signal)
    );
    if (record.id !== id) throw new DepsError('OSV_API', `asked for ${id}, got ${record.id}`);
    await this.#o.cache?.put(record);
    return record;
  }

  async fetchRecords(ids: Map<string, string>, signal?: AbortSignal): Promise<Map<string, OsvRecord>> {
    if (ids.size > this.#o.maxVulnIds)
      throw new DepsError(
        'OSV_API',
        `${ids.size} vulnerability ids exceed the limit of ${this.#o.maxVulnIds}`
      );
    const records = new Map<string, OsvRecord>();
    const queue = [...ids];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift())
        records.set(next[0], await this.#record(next[0], next[1], signal));
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, worker));
    return records;
  }

  async lookup(queries: readonly PackageQuery[], signal?: AbortSignal): Promise<OsvRecord[][]> {
    if (queries.length === 0) return [];
    const perQuery = await this.queryIds(queries, signal);
    const all = new Map<string, string>();
    for (const m of perQuery) for (const [id, modified] of m) all.set(id, modified);
    const records = await this.fetchRecords(all, signal);
    return perQuery.map((m) => [...m.keys()].map((id) => records.get(id)!).filter((r) => !r.withdrawn));
  }
}
