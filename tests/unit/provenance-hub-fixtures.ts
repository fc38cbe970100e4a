// Serves recorded Hub responses from ../shared/fixtures/huggingface through a fetch-compatible function,
// so the product's real client code runs against real response shapes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FetchLike } from '../../src/lib/core/provenance/hub-client';
import { sharedPath } from '../fixture-set.mjs';

/** The Hub part of the external fixture set: read it only inside `describeShared`. */
export const HF_FIXTURES = sharedPath('fixtures/huggingface');

export function fixture(name: string): any {
  return JSON.parse(readFileSync(join(HF_FIXTURES, name), 'utf8'));
}

export interface Route {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface SeenRequest {
  url: string;
  headers: Record<string, string>;
  credentials: RequestCredentials | undefined;
}

export class FixtureHub {
  readonly requests: SeenRequest[] = [];
  readonly unrouted: string[] = [];
  private readonly routes = new Map<string, Route | (() => Route)>();

  route(url: string, route: Route | (() => Route)): this {
    this.routes.set(url, route);
    return this;
  }

  /** A recorded fixture file with {request:{url}, response:{status, headers, body}}. */
  recorded(name: string, url?: string, patch?: (body: any) => any): this {
    const f = fixture(name);
    const body = patch ? patch(structuredClone(f.response.body)) : f.response.body;
    return this.route(url ?? f.request.url, { status: f.response.status, headers: f.response.headers, body });
  }

  private answer(url: string): Response {
    const found = this.routes.get(url);
    if (!found) {
      this.unrouted.push(url);
      return new Response('{"error":"not routed"}', {
        status: 404,
        headers: { 'X-Error-Code': 'RepoNotFound' }
      });
    }
    const r = typeof found === 'function' ? found() : found;
    const text =
      typeof r.body === 'string' && r.status >= 300 && r.status < 400 ? r.body : JSON.stringify(r.body);
    // Headers that describe the recorded transfer, not this one.
    const headers = Object.fromEntries(
      Object.entries(r.headers ?? {}).filter(
        ([k]) => !/^(content-length|connection|transfer-encoding)$/i.test(k)
      )
    );
    return new Response(r.status === 204 ? null : text, { status: r.status, headers });
  }

  /** Behaves like the platform fetch: follows same-origin redirects, rejects with TypeError when told to. */
  readonly fetch: FetchLike = async (input, init) => {
    let url = input;
    for (let hop = 0; hop < 5; hop++) {
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      this.requests.push({ url, headers, credentials: init?.credentials });
      if (init?.signal?.aborted) throw init.signal.reason;
      const res = this.answer(url);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).href;
        continue;
      }
      return res;
    }
    throw new TypeError('too many redirects');
  };
}

export const BERT = 'google-bert/bert-base-uncased';
export const BERT_COMMIT = 'dd4bc8b21efa05ec961e3efc4ee5e3832a3679c7';
export const TREE_BERT = 'reconstructed__tree__google-bert_bert-base-uncased__dd4bc8b.json';
export const TREE_BERT_EXPAND = 'reconstructed__tree-expand__google-bert_bert-base-uncased__dd4bc8b.json';
export const INFO_BERT = 'recorded__model-info__google-bert_bert-base-uncased__2025-01-22.json';

/**
 * A consistent Hub for bert-base-uncased at dd4bc8b: the recorded repo info (its `sha` set to that commit, as
 * /revision/{commit} answers), the recorded tree (flat repo, so recursive=true lists the same five files), and
 * the commit as list-commits reports it (from the paths-info lastCommit of tf_model.h5, which dd4bc8b changed).
 */
export function bertHub(): FixtureHub {
  const api = `https://huggingface.co/api/models/${BERT}`;
  const paths = fixture(
    'reconstructed__paths-info-expand__google-bert_bert-base-uncased__tf_model.h5__dd4bc8b.json'
  );
  const lc = paths.response.body[0].lastCommit;
  return new FixtureHub()
    .recorded(INFO_BERT, `${api}/revision/${BERT_COMMIT}?securityStatus=true`, (b) => ({
      ...b,
      sha: BERT_COMMIT
    }))
    .recorded(TREE_BERT, `${api}/tree/${BERT_COMMIT}?recursive=true&expand=false`)
    .route(`${api}/commits/${BERT_COMMIT}?limit=1`, {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-total-count': '1' },
      body: [{ id: lc.id, title: lc.title, message: '', authors: [], date: lc.date }]
    });
}
