import { sha256 } from 'hash-wasm';
import { throwIfAborted } from '../cancel';
import { HubError } from './errors';
import { errorFromFetchFailure, errorFromResponse, type RequestSubject } from './hub-error';
import { HUB_ORIGIN, hubUrls, isCommitSha, isValidRepoId, type HubRef } from './hub-ref';
import { remoteFileFromEntry, type RemoteFile } from './remote-file';
import { repoFactsFromInfo, type RepoFacts } from './repo-facts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** One request made to the Hub, as recorded in a manifest (never with headers, so never with the token). */
export interface ApiCall {
  method: 'GET';
  url: string;
  status: number;
  /** SHA-256 of the raw response body, so a capture can be matched to saved responses. */
  responseSha256: string | null;
}

export interface HubLimits {
  maxTreePages: number;
  maxTreeFiles: number;
  maxResponseBytes: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = {
  maxTreePages: 500,
  maxTreeFiles: 200_000,
  maxResponseBytes: 64 * 1024 * 1024
};

export interface HubClientOptions {
  /** The platform fetch (globalThis.fetch in the app). */
  fetch: FetchLike;
  /** Kept in this object only; sent as a Bearer token to the Hub origin and nowhere else. */
  token?: string | null;
  hub?: string;
  /** Tells "offline" from a CORS/network failure; defaults to navigator.onLine where it exists. */
  isOnline?: () => boolean | undefined;
  limits?: Partial<HubLimits>;
}

export interface CommitInfo {
  id: string;
  title: string;
  date: string;
  authors: string[];
}

interface JsonAnswer {
  body: unknown;
  headers: Headers;
}

function defaultOnline(): boolean | undefined {
  const nav = (globalThis as { navigator?: { onLine?: unknown } }).navigator;
  return typeof nav?.onLine === 'boolean' ? nav.onLine : undefined;
}

/** The `rel="next"` target of a Link header, if any. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?/i.test(m[2])) return m[1];
  }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Hub metadata client. Every method is a plain async function over plain data, so UI state can drive it. */
export class HubClient {
  readonly hub: string;
  readonly calls: ApiCall[] = [];
  readonly #fetch: FetchLike;
  readonly #token: string | null;
  readonly #online: () => boolean | undefined;
  readonly #limits: HubLimits;

  constructor(options: HubClientOptions) {
    const platformFetch = options.fetch;
    // Called detached: window.fetch throws "Illegal invocation" when called as a method of another object.
    this.#fetch = (input, init) => platformFetch(input, init);
    this.#token = options.token?.trim() || null;
    this.hub = new URL(options.hub ?? HUB_ORIGIN).origin;
    this.#online = options.isOnline ?? defaultOnline;
    this.#limits = { ...DEFAULT_HUB_LIMITS, ...options.limits };
  }

  get authenticated(): boolean {
    return this.#token !== null;
  }

  /** Never lets the token leave through an error message. */
  #redact(text: string): string {
    return this.#token ? text.split(this.#token).join('[token]') : text;
  }

  async #readBounded(res: Response): Promise<string> {
    const declared = Number(res.headers.get('content-length'));
    if (declared > this.#limits.maxResponseBytes) throw this.#tooLarge();
    if (!res.body) return res.text();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let total = 0;
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > this.#limits.maxResponseBytes) {
        await reader.cancel();
        throw this.#tooLarge();
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  }

  #tooLarge(): HubError {
    return new HubError(
      'HUB_LIMIT',
      `A Hub response exceeded ${this.#limits.maxResponseBytes} bytes; refusing to read it.`
    );
  }

  async #getJson(
    url: string,
    subject: RequestSubject,
    label: string,
    signal?: AbortSignal
  ): Promise<JsonAnswer> {
    throwIfAborted(signal);
    if (new URL(url).origin !== this.hub)
      throw new HubError(
        'HUB_BAD_RESPONSE',
        `Refusing to call ${new URL(url).origin}: only the Hub is contacted.`
      );
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method: 'GET',
        headers,
        signal,
        credentials: 'omit',
        referrerPolicy: 'no-referrer'
      });
    } catch (err) {
      throwIfAborted(signal);
      const failure = errorFromFetchFailure(err, this.#online());
      throw new HubError(failure.code, this.#redact(failure.message));
    }
    if (!res.ok) {
      this.calls.push({ method: 'GET', url, status: res.status, responseSha256: null });
      await res.body?.cancel().catch(() => undefined);
      const e = errorFromResponse(res, subject, label, this.authenticated);
      throw new HubError(e.code, this.#redact(e.message), e.status, e.retryAfterSeconds);
    }
    const text = await this.#readBounded(res);
    this.calls.push({ method: 'GET', url, status: res.status, responseSha256: await sha256(text) });
    try {
      return { body: JSON.parse(text), headers: res.headers };
    } catch {
      throw new HubError('HUB_BAD_RESPONSE', `The Hub's answer for ${label} is not JSON.`, res.status);
    }
  }

  /**
   * Repo facts at a revision (null = default branch) and the commit that revision points to.
   * Models also ask for the Hub's security-scan summary.
   */
  async repoInfo(ref: HubRef, signal?: AbortSignal): Promise<{ commit: string; facts: RepoFacts }> {
    const base = hubUrls.api(ref);
    const path = ref.revision === null ? base : `${base}/revision/${encodeURIComponent(ref.revision)}`;
    const url = ref.repoType === 'model' ? `${path}?securityStatus=true` : path;
    const label = `${ref.repoType} ${ref.repoId}${ref.revision ? `@${ref.revision}` : ''}`;
    const { body } = await this.#getJson(url, ref.revision === null ? 'repo' : 'revision', label, signal);
    if (!isRecord(body))
      throw new HubError('HUB_BAD_RESPONSE', `The Hub's repo info for ${label} is not an object.`);
    const commit = typeof body.sha === 'string' ? body.sha.toLowerCase() : '';
    if (!isCommitSha(commit))
      throw new HubError('HUB_BAD_RESPONSE', `The Hub did not give a commit for ${label}.`);
    return { commit, facts: repoFactsFromInfo(body, ref.repoId) };
  }

  /** The commit a revision points to now (cheap: only `sha` is expanded). */
  async resolveRevision(ref: HubRef, signal?: AbortSignal): Promise<{ repoId: string; commit: string }> {
    const base = hubUrls.api(ref);
    const path = ref.revision === null ? base : `${base}/revision/${encodeURIComponent(ref.revision)}`;
    const label = `${ref.repoType} ${ref.repoId}${ref.revision ? `@${ref.revision}` : ''}`;
    const { body } = await this.#getJson(
      `${path}?expand=sha`,
      ref.revision === null ? 'repo' : 'revision',
      label,
      signal
    );
    const commit = isRecord(body) && typeof body.sha === 'string' ? body.sha.toLowerCase() : '';
    if (!isCommitSha(commit))
      throw new HubError('HUB_BAD_RESPONSE', `The Hub did not give a commit for ${label}.`);
    return { repoId: isRecord(body) && isValidRepoId(body.id) ? body.id : ref.repoId, commit };
  }

  /** Every file at `commit` (recursive), following `Link: rel="next"` pages on the Hub origin only. */
  async listFiles(
    ref: HubRef,
    commit: string,
    options: { expand?: boolean; path?: string | null; signal?: AbortSignal } = {}
  ): Promise<RemoteFile[]> {
    const sub = options.path ? `/${options.path.split('/').map(encodeURIComponent).join('/')}` : '';
    let url: string | null =
      `${hubUrls.api(ref)}/tree/${encodeURIComponent(commit)}${sub}?recursive=true&expand=${options.expand === true}`;
    const label = `${ref.repoId}@${commit.slice(0, 7)}${options.path ? `/${options.path}` : ''}`;
    const files: RemoteFile[] = [];
    const seenPaths = new Set<string>();
    const seenUrls = new Set<string>();
    let pages = 0;
    while (url !== null) {
      if (++pages > this.#limits.maxTreePages)
        throw new HubError(
          'HUB_LIMIT',
          `The file listing has more than ${this.#limits.maxTreePages} pages; stopped.`
        );
      seenUrls.add(url);
      const { body, headers } = await this.#getJson(url, 'tree', label, options.signal);
      if (!Array.isArray(body))
        throw new HubError('HUB_BAD_RESPONSE', `The Hub's file listing for ${label} is not an array.`);
      for (const entry of body) {
        const file = remoteFileFromEntry(entry);
        if (!file) continue;
        if (seenPaths.has(file.path))
          throw new HubError(
            'HUB_BAD_RESPONSE',
            `The Hub listed ${file.path} twice; the listing is inconsistent.`
          );
        seenPaths.add(file.path);
        files.push(file);
        if (files.length > this.#limits.maxTreeFiles)
          throw new HubError(
            'HUB_LIMIT',
            `The repo has more than ${this.#limits.maxTreeFiles} files; stopped.`
          );
      }
      const next = nextLink(headers.get('link'));
      if (next === null) break;
      const resolved: string = new URL(next, url).href;
      if (new URL(resolved).origin !== this.hub)
        throw new HubError(
          'HUB_BAD_RESPONSE',
          'The Hub pointed the next listing page to another host; refusing to follow.'
        );
      if (seenUrls.has(resolved))
        throw new HubError('HUB_BAD_RESPONSE', 'The Hub pagination loops; stopped.');
      url = resolved;
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The commit itself (title, date, authors): the "last commit" an analyst sees. */
  async commitInfo(ref: HubRef, commit: string, signal?: AbortSignal): Promise<CommitInfo> {
    const url = `${hubUrls.api(ref)}/commits/${encodeURIComponent(commit)}?limit=1`;
    const { body } = await this.#getJson(url, 'commits', `${ref.repoId}@${commit.slice(0, 7)}`, signal);
    const first = Array.isArray(body) ? body[0] : undefined;
    if (!isRecord(first) || typeof first.id !== 'string')
      throw new HubError('HUB_BAD_RESPONSE', 'The Hub returned no commit history.');
    const authors = Array.isArray(first.authors) ? first.authors : [];
    return {
      id: first.id.slice(0, 64),
      title: typeof first.title === 'string' ? first.title.slice(0, 300) : '',
      date: typeof first.date === 'string' ? first.date.slice(0, 40) : '',
      authors: authors
        .filter(isRecord)
        .map((a) => (typeof a.user === 'string' ? a.user.slice(0, 100) : ''))
        .filter((u) => u !== '')
        .slice(0, 20)
    };
  }
}
