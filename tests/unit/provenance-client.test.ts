import { expect, it } from 'vitest';
import { captureFromHub } from '../../src/lib/core/provenance/capture';
import { HubClient, nextLink } from '../../src/lib/core/provenance/hub-client';
import { HubError } from '../../src/lib/core/provenance/errors';
import { parseHubRef } from '../../src/lib/core/provenance/hub-ref';
import type { RepoFacts } from '../../src/lib/core/provenance/repo-facts';
import {
  BERT,
  BERT_COMMIT,
  bertHub,
  fixture,
  FixtureHub,
  TREE_BERT,
  TREE_BERT_EXPAND
} from './provenance-hub-fixtures';
import { describeShared } from '../shared-fixtures';

/** True when loading the repo with transformers may run Python code from it. */
function hasRemoteCode(facts: RepoFacts): boolean {
  const r = facts.remoteCode;
  return (
    r.customCodeTag || (r.autoMap !== null && Object.keys(r.autoMap).length > 0) || r.customClass !== null
  );
}

const API = `https://huggingface.co/api/models/${BERT}`;
const now = () => new Date('2026-01-02T03:04:05Z');

describeShared('capture from the Hub (recorded responses)', () => {
  it('resolves the revision, lists every file with its hashes and reads the repo facts', async () => {
    const hub = bertHub();
    const client = new HubClient({ fetch: hub.fetch });
    const cap = await captureFromHub(
      client,
      parseHubRef(`https://huggingface.co/${BERT}/tree/${BERT_COMMIT}`),
      { now }
    );
    expect(hub.unrouted).toEqual([]);
    expect(cap.commit).toBe(BERT_COMMIT);
    expect(cap.repoId).toBe(BERT);
    const tree = fixture(TREE_BERT).response.body as { path: string; oid: string; lfs?: { oid: string } }[];
    expect(cap.files.map((f) => f.path)).toEqual(tree.map((e) => e.path).sort());
    for (const e of tree) {
      const f = cap.files.find((x) => x.path === e.path)!;
      expect(f.gitBlobSha1).toBe(e.oid);
      expect(f.sha256).toBe(e.lfs?.oid ?? null);
    }
    const h5 = cap.files.find((f) => f.path === 'tf_model.h5')!;
    expect(h5.xetHash).toBe('879c5715c18a0b7f051dd33f70f0a5c8dd1522e0a43f6f75520f16167f29279b');
    expect(cap.facts).toMatchObject({
      private: false,
      gated: false,
      disabled: false,
      libraryName: 'transformers',
      pipelineTag: 'fill-mask',
      licenses: ['apache-2.0']
    });
    expect(hasRemoteCode(cap.facts)).toBe(false);
    expect(cap.lastCommit?.title).toBe('Update tf_model.h5');
    expect(cap.calls.map((c) => [c.status, c.url])).toEqual([
      [200, `${API}/revision/${BERT_COMMIT}?securityStatus=true`],
      [200, `${API}/tree/${BERT_COMMIT}?recursive=true&expand=false`],
      [200, `${API}/commits/${BERT_COMMIT}?limit=1`]
    ]);
    expect(cap.calls.every((c) => /^[0-9a-f]{64}$/.test(c.responseSha256 ?? ''))).toBe(true);
    expect(hub.requests.every((r) => r.credentials === 'omit' && !('authorization' in r.headers))).toBe(true);
  });

  it('a /blob URL captures just that file', async () => {
    const cap = await captureFromHub(
      new HubClient({ fetch: bertHub().fetch }),
      parseHubRef(`https://huggingface.co/${BERT}/blob/${BERT_COMMIT}/vocab.txt`)
    );
    expect(cap.files.map((f) => f.path)).toEqual(['vocab.txt']);
  });

  it('follows the 307 of a legacy id to the canonical repo id (recorded)', async () => {
    const hub = new FixtureHub()
      .recorded(
        'recorded__model-info__legacy-id-307__bert-base-uncased__2025-01-22.json',
        `https://huggingface.co/api/models/bert-base-uncased?securityStatus=true`
      )
      .recorded('recorded__model-info__google-bert_bert-base-uncased__2025-01-22.json');
    const info = await new HubClient({ fetch: hub.fetch }).repoInfo(parseHubRef('bert-base-uncased'));
    expect(info.facts.repoId).toBe(BERT);
    expect(info.commit).toBe('86b5e0934494bd15c9632b12f734a8a67f723594');
  });

  it('reads gated, licence, base model and remote-code facts from recorded repo info', async () => {
    const llama = 'https://huggingface.co/api/models/meta-llama/Llama-3.1-8B-Instruct';
    const file = 'recorded__model-info__gated-manual__meta-llama_Llama-3.1-8B-Instruct__2025-03-21.json';
    const hub = new FixtureHub().recorded(file, `${llama}?securityStatus=true`);
    const { facts } = await new HubClient({ fetch: hub.fetch }).repoInfo(
      parseHubRef('meta-llama/Llama-3.1-8B-Instruct')
    );
    expect(facts.gated).toBe('manual');
    expect(facts.licenses).toEqual(['llama3.1']);
    // cardData still names the repo's old id; the tag has the current one. Both are kept.
    expect(facts.baseModels).toEqual(['meta-llama/Meta-Llama-3.1-8B', 'meta-llama/Llama-3.1-8B']);
    expect(hasRemoteCode(facts)).toBe(false);
    // The same recorded shape with the signals a remote-code repo carries.
    const remote = new FixtureHub().recorded(file, `${llama}?securityStatus=true`, (b) => ({
      ...b,
      tags: [...b.tags, 'custom_code'],
      config: {
        ...b.config,
        auto_map: { AutoModelForCausalLM: 'modeling_x.XForCausalLM', AutoTokenizer: ['tok.Slow', 'tok.Fast'] }
      },
      securityRepoStatus: {
        scansDone: true,
        filesWithIssues: [{ path: 'pytorch_model.bin', level: 'unsafe' }, 'junk']
      }
    }));
    const r = await new HubClient({ fetch: remote.fetch }).repoInfo(
      parseHubRef('meta-llama/Llama-3.1-8B-Instruct')
    );
    expect(hasRemoteCode(r.facts)).toBe(true);
    expect(r.facts.remoteCode.autoMap).toEqual({
      AutoModelForCausalLM: 'modeling_x.XForCausalLM',
      AutoTokenizer: 'tok.Slow, tok.Fast'
    });
    expect(r.facts.securityScan).toEqual({
      scansDone: true,
      filesWithIssues: [{ path: 'pytorch_model.bin', level: 'unsafe' }]
    });
  });
});

/** Splits a recorded listing into pages chained by Link headers, as the Hub paginates. */
function paginatedHub(
  entries: unknown[],
  perPage: number,
  expand: boolean,
  linkFor?: (n: number) => string
): FixtureHub {
  const hub = new FixtureHub();
  const first = `${API}/tree/${BERT_COMMIT}?recursive=true&expand=${expand}`;
  const pages = Math.ceil(entries.length / perPage);
  for (let p = 0; p < pages; p++) {
    const url = p === 0 ? first : `${first}&cursor=c${p}`;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (p < pages - 1)
      headers.link = `<${linkFor ? linkFor(p + 1) : `${first}&cursor=c${p + 1}`}>; rel="next"`;
    hub.route(url, { status: 200, headers, body: entries.slice(p * perPage, (p + 1) * perPage) });
  }
  return hub;
}

describeShared('tree pagination', () => {
  const ref = parseHubRef(BERT);

  it('follows Link rel="next" across pages and keeps per-file lastCommit', async () => {
    const entries = fixture(TREE_BERT_EXPAND).response.body;
    const hub = paginatedHub(entries, 2, true);
    const client = new HubClient({ fetch: hub.fetch });
    const files = await client.listFiles(ref, BERT_COMMIT, { expand: true });
    expect(files).toHaveLength(entries.length);
    expect(client.calls).toHaveLength(3);
    expect(files.find((f) => f.path === 'vocab.txt')?.lastCommit?.title).toBe(
      entries.find((e: { path: string }) => e.path === 'vocab.txt').lastCommit.title
    );
  });

  it('lists directories recursively but keeps only files, and drops a redacted xetHash', async () => {
    const thirdParty = fixture(
      'thirdparty__tree-entries__openai-community_gpt2-and-Bingsu_adetailer.json'
    ).entries;
    const redacted = fixture('thirdparty__tree-redacted-xethash__gated.json').response_excerpt.xetHash;
    const entries = thirdParty
      .filter((e: { repo: string }) => e.repo === 'openai-community/gpt2')
      .map((e: { entry: object }) => e.entry);
    entries[2] = { ...entries[2], xetHash: redacted };
    const files = await new HubClient({ fetch: paginatedHub(entries, 1000, false).fetch }).listFiles(
      ref,
      BERT_COMMIT
    );
    expect(files.map((f) => f.path)).toEqual(['config.json', 'model.safetensors']);
    expect(files[1].xetHash).toBeNull();
    expect(files[1].sha256).toBe('248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707');
  });

  it('refuses a next page on another host, a loop, and too many pages', async () => {
    const entries = fixture(TREE_BERT).response.body;
    const away = paginatedHub(entries, 2, false, () => 'https://evil.example/api/next');
    await expect(new HubClient({ fetch: away.fetch }).listFiles(ref, BERT_COMMIT)).rejects.toMatchObject({
      code: 'HUB_BAD_RESPONSE'
    });
    expect(away.requests.some((r) => r.url.includes('evil'))).toBe(false);
    const first = `${API}/tree/${BERT_COMMIT}?recursive=true&expand=false`;
    const loop = paginatedHub(entries, 2, false, () => first);
    await expect(new HubClient({ fetch: loop.fetch }).listFiles(ref, BERT_COMMIT)).rejects.toThrow(/loops/);
    const many = paginatedHub(entries, 1, false);
    await expect(
      new HubClient({ fetch: many.fetch, limits: { maxTreePages: 3 } }).listFiles(ref, BERT_COMMIT)
    ).rejects.toMatchObject({ code: 'HUB_LIMIT' });
  });

  it('rejects malformed entries instead of trusting them', async () => {
    const entries = fixture(TREE_BERT).response.body;
    for (const bad of [
      { ...entries[0], path: '../etc/passwd' },
      { ...entries[0], oid: 'zz' },
      { ...entries[2], lfs: { ...entries[2].lfs, size: 1 } },
      { ...entries[0], size: -1 }
    ]) {
      const hub = paginatedHub([bad], 10, false);
      await expect(new HubClient({ fetch: hub.fetch }).listFiles(ref, BERT_COMMIT)).rejects.toMatchObject({
        code: 'HUB_BAD_RESPONSE'
      });
    }
    const dup = paginatedHub([entries[0], entries[0]], 1, false);
    await expect(new HubClient({ fetch: dup.fetch }).listFiles(ref, BERT_COMMIT)).rejects.toThrow(/twice/);
  });

  it('parses Link headers with several relations', () => {
    expect(nextLink('<https://h/a?cursor=1>; rel="prev", <https://h/b?cursor=2>; rel="next"')).toBe(
      'https://h/b?cursor=2'
    );
    expect(nextLink('<https://h/a>; rel="prev"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });
});

describeShared('error mapping', () => {
  const ref = parseHubRef(`${BERT}`, 'main');
  const url = `${API}/revision/main?securityStatus=true`;
  const fail = async (status: number, headers: Record<string, string>, token?: string): Promise<HubError> => {
    const hub = new FixtureHub().route(url, { status, headers, body: { error: 'x' } });
    const err = await new HubClient({ fetch: hub.fetch, token }).repoInfo(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    return err as HubError;
  };

  it.each([
    [401, { 'X-Error-Code': 'GatedRepo' }, undefined, 'HUB_GATED'],
    [403, { 'X-Error-Code': 'GatedRepo' }, 'hf_x', 'HUB_GATED'],
    [401, { 'X-Error-Message': 'Invalid username or password.' }, undefined, 'HUB_UNAUTHORIZED'],
    [401, { 'X-Error-Message': 'Invalid credentials in Authorization header' }, 'hf_x', 'HUB_UNAUTHORIZED'],
    [403, { 'X-Error-Message': 'Access to this resource is disabled.' }, undefined, 'HUB_DISABLED'],
    [404, { 'X-Error-Code': 'RepoNotFound' }, 'hf_x', 'HUB_REPO_NOT_FOUND'],
    [404, { 'X-Error-Code': 'RevisionNotFound' }, undefined, 'HUB_REVISION_NOT_FOUND'],
    [404, { 'X-Error-Code': 'EntryNotFound' }, undefined, 'HUB_ENTRY_NOT_FOUND'],
    [403, { 'X-Error-Message': 'This action is not allowed.' }, 'hf_x', 'HUB_FORBIDDEN'],
    [500, {}, undefined, 'HUB_SERVER'],
    [418, {}, undefined, 'HUB_BAD_RESPONSE']
  ])('%i %j → %s', async (status, headers, token, code) => {
    expect((await fail(status, headers, token)).code).toBe(code);
  });

  it('429 carries the retry delay when a header the page can read gives it', async () => {
    const recorded = fixture('thirdparty__cors-and-ratelimit-headers__resolve__2026.json').cases[0].response
      .headers;
    const e = await fail(429, { ratelimit: recorded.ratelimit });
    expect([e.code, e.retryAfterSeconds]).toEqual(['HUB_RATE_LIMITED', 3]);
    expect((await fail(429, { 'Retry-After': '120' })).retryAfterSeconds).toBe(120);
    const unknown = await fail(429, {});
    expect(unknown.retryAfterSeconds).toBeNull();
    expect(unknown.message).toMatch(/5 minutes/);
  });

  it('tells offline from a CORS or network failure (fetch rejects with TypeError)', async () => {
    const reject = async () => {
      throw new TypeError('Failed to fetch');
    };
    const off = await new HubClient({ fetch: reject, isOnline: () => false }).repoInfo(ref).catch((e) => e);
    expect(off.code).toBe('HUB_OFFLINE');
    const cors = await new HubClient({ fetch: reject, isOnline: () => true }).repoInfo(ref).catch((e) => e);
    expect(cors.code).toBe('HUB_NETWORK');
    expect(cors.message).toMatch(/CORS/);
  });

  it('an aborted capture stops with an AbortError, not a Hub error', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const err = await captureFromHub(
      new HubClient({ fetch: bertHub().fetch }),
      parseHubRef(BERT, BERT_COMMIT),
      {
        signal: ctl.signal
      }
    ).catch((e) => e);
    expect(err.name).toBe('AbortError');
  });
});
