import * as Comlink from 'comlink';
import { deflateSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../src/lib/core/bytes/base64';
import { compareWithHub } from '../../src/lib/core/provenance/compare-hub';
import { ManifestError, ShareLinkError } from '../../src/lib/core/provenance/errors';
import { HubClient } from '../../src/lib/core/provenance/hub-client';
import { hubUrls, parseHubRef } from '../../src/lib/core/provenance/hub-ref';
import { inTotoStatement } from '../../src/lib/core/provenance/in-toto';
import { sealManifest, type Manifest } from '../../src/lib/core/provenance/manifest';
import {
  MAX_MANIFEST_YAML,
  openShareLink,
  parseManifestText,
  readManifestDocument
} from '../../src/lib/core/provenance/manifest-document';
import {
  decodeManifestFragment,
  encodeManifestFragment,
  MAX_LINK_CHARS
} from '../../src/lib/core/provenance/share-link';
import { parseHubTarget } from '../../src/lib/core/remote/hub-target';
import { problemOf } from '../../src/lib/state/provenance-problem';
import '../../src/lib/workers/comlink';
import { manifestOf } from './manifest-fixture';

/** What a call rejected or threw with. */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

async function codeOf(run: () => unknown): Promise<unknown> {
  return ((await failure(run)) as { code?: unknown }).code;
}

describe('Hub reference codes', () => {
  it.each([
    ['', null, 'HUB_REF_EMPTY'],
    ['a'.repeat(3000), null, 'HUB_REF_REPO_ID'],
    ['acme/bad name', null, 'HUB_REF_REPO_ID'],
    ['https://huggingface.co/api/models', null, 'HUB_REF_REPO_ID'],
    ['acme/model', '../main', 'HUB_REF_REVISION'],
    ['https://example.com/acme/model', null, 'HUB_REF_URL'],
    ['ftp://huggingface.co/acme/model', null, 'HUB_REF_URL'],
    ['https://huggingface.co/acme/%E0%A4%A', null, 'HUB_REF_URL']
  ])('parseHubRef(%j, %j) → %s', async (text, revision, code) => {
    expect(await codeOf(() => parseHubRef(text, revision ?? undefined))).toBe(code);
  });

  it('a path outside the repo and an hf:// target with a path or an empty revision', async () => {
    const ref = parseHubRef('acme/model');
    expect(await codeOf(() => hubUrls.resolve(ref, 'main', '../../api/whoami-v2'))).toBe('HUB_REF_PATH');
    expect(await codeOf(() => hubUrls.tree(ref, '../../api/whoami-v2'))).toBe('HUB_REF_REVISION');
    expect(await codeOf(() => parseHubTarget('hf://acme/model/tree/main/sub'))).toBe('HUB_REF_PATH');
    expect(await codeOf(() => parseHubTarget('hf://acme/model@'))).toBe('HUB_REF_REVISION');
  });
});

describe('Hub request codes', () => {
  const ref = parseHubRef('acme/model', 'main');
  const answering =
    (status: number, headers: Record<string, string> = {}, body = '{"error":"x"}') =>
    async () =>
      new Response(body, { status, headers });

  it.each([
    [401, { 'X-Error-Code': 'GatedRepo' }, 'HUB_GATED'],
    [401, {}, 'HUB_UNAUTHORIZED'],
    [403, { 'X-Error-Message': 'This action is not allowed.' }, 'HUB_FORBIDDEN'],
    [403, { 'X-Error-Message': 'Access to this resource is disabled.' }, 'HUB_DISABLED'],
    [404, { 'X-Error-Code': 'RepoNotFound' }, 'HUB_REPO_NOT_FOUND'],
    [404, { 'X-Error-Code': 'RevisionNotFound' }, 'HUB_REVISION_NOT_FOUND'],
    [404, { 'X-Error-Code': 'EntryNotFound' }, 'HUB_ENTRY_NOT_FOUND'],
    [429, { 'Retry-After': '7' }, 'HUB_RATE_LIMITED'],
    [502, {}, 'HUB_SERVER'],
    [418, {}, 'HUB_BAD_RESPONSE']
  ])('an answer %i %j → %s', async (status, headers, code) => {
    const client = new HubClient({ fetch: answering(status, headers) });
    expect(await codeOf(() => client.repoInfo(ref))).toBe(code);
  });

  it('an answer that is not JSON, one too large, and no answer at all', async () => {
    const notJson = new HubClient({ fetch: answering(200, {}, '<html>') });
    expect(await codeOf(() => notJson.repoInfo(ref))).toBe('HUB_BAD_RESPONSE');
    const large = new HubClient({
      fetch: answering(200, {}, JSON.stringify({ sha: 'a'.repeat(40), pad: 'x'.repeat(4096) })),
      limits: { maxResponseBytes: 1024 }
    });
    expect(await codeOf(() => large.repoInfo(ref))).toBe('HUB_LIMIT');
    const unreachable = async () => {
      throw new TypeError('Failed to fetch');
    };
    const offline = new HubClient({ fetch: unreachable, isOnline: () => false });
    expect(await codeOf(() => offline.repoInfo(ref))).toBe('HUB_OFFLINE');
    const blocked = new HubClient({ fetch: unreachable, isOnline: () => true });
    expect(await codeOf(() => blocked.repoInfo(ref))).toBe('HUB_NETWORK');
  });
});

async function sealed(): Promise<Manifest> {
  return manifestOf([]);
}

describe('manifest codes', () => {
  it('text that is too large or neither JSON nor YAML', async () => {
    expect(await codeOf(() => parseManifestText('a'.repeat(MAX_MANIFEST_YAML + 1)))).toBe(
      'MANIFEST_TOO_LARGE'
    );
    expect(await codeOf(() => parseManifestText('{"schema": '))).toBe('MANIFEST_SYNTAX');
    expect(await codeOf(() => parseManifestText('files: [unclosed'))).toBe('MANIFEST_SYNTAX');
  });

  it('a document that is none of the manifest forms', async () => {
    expect(await codeOf(() => parseManifestText('{"hello": "world"}'))).toBe('MANIFEST_UNRECOGNISED');
    const other = { ...inTotoStatement(await sealed()), predicateType: 'https://slsa.dev/provenance/v1' };
    expect(await codeOf(() => readManifestDocument(other))).toBe('MANIFEST_UNRECOGNISED');
  });

  it('a field against the schema, and an edit after sealing', async () => {
    const manifest = await sealed();
    const badVersion = JSON.stringify({ ...manifest, schemaVersion: 99 });
    expect(await codeOf(() => parseManifestText(badVersion))).toBe('MANIFEST_INVALID');
    const edited = JSON.stringify({ ...manifest, capturedAt: '2020-01-01T00:00:00Z' });
    expect(await codeOf(() => parseManifestText(edited))).toBe('MANIFEST_ALTERED');
    const statement = inTotoStatement(manifest);
    const alteredStatement = { ...statement, subject: [{ name: 'x', digest: { sha256: 'a'.repeat(64) } }] };
    expect(await codeOf(() => readManifestDocument(alteredStatement))).toBe('MANIFEST_ALTERED');
  });

  it('a Sigstore bundle without a signed statement', async () => {
    const mediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
    expect(await codeOf(() => readManifestDocument({ mediaType }))).toBe('MANIFEST_BUNDLE_INVALID');
    const notStatement = {
      mediaType,
      dsseEnvelope: { payloadType: 'application/vnd.in-toto+json', payload: 'bm90IGpzb24=', signatures: [] }
    };
    expect(await codeOf(() => readManifestDocument(notStatement))).toBe('MANIFEST_BUNDLE_INVALID');
  });

  it('a manifest that names no repo cannot be compared with the Hub', async () => {
    const manifest = await sealed();
    const local = await sealManifest({ ...manifest, source: { ...manifest.source, repoId: null } });
    const client = new HubClient({ fetch: async () => new Response('{}') });
    expect(await codeOf(() => compareWithHub(client, local))).toBe('MANIFEST_NO_REPO');
  });

  it('a statement nested too deeply to be written canonically', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    const statement = { ...inTotoStatement(await sealed()), extra: deep };
    expect(await codeOf(() => readManifestDocument(statement))).toBe('CANONICAL_JSON_TOO_DEEP');
  });
});

describe('share link codes', () => {
  it.each([
    ['no #m=', '#x=1', 'SHARE_LINK_EMPTY'],
    ['not base64url', '#m=ab$c', 'SHARE_LINK_DAMAGED'],
    [
      'not deflate',
      `#m=${toBase64Url(new TextEncoder().encode('not deflate at all'))}`,
      'SHARE_LINK_DAMAGED'
    ],
    [
      'not JSON',
      `#m=${toBase64Url(deflateSync(new TextEncoder().encode('not json')))}`,
      'SHARE_LINK_DAMAGED'
    ],
    ['too long', `#m=${'A'.repeat(MAX_LINK_CHARS + 1)}`, 'SHARE_LINK_TOO_LARGE']
  ])('%s → %s', async (_what, link, code) => {
    expect(await codeOf(() => decodeManifestFragment(link))).toBe(code);
  });

  it('a link cut short, and a signature without its key', async () => {
    const whole = deflateSync(new TextEncoder().encode(JSON.stringify(await sealed())));
    const cut = `#m=${toBase64Url(whole.subarray(0, whole.length >> 1))}`;
    expect(await codeOf(() => decodeManifestFragment(cut))).toBe('SHARE_LINK_DAMAGED');
    const half = `#${encodeManifestFragment(await sealed())}&sig=AAAA`;
    expect(await codeOf(() => openShareLink(half))).toBe('SHARE_LINK_DAMAGED');
  });
});

describe('codes across the worker boundary', () => {
  // The provenance worker's two manifest entry points, served over a real MessageChannel by comlink with the
  // handler workers/comlink.ts installs: what reaches the page is plain data, not the class.
  const channel = new MessageChannel();
  Comlink.expose(
    {
      read: async (text: string) => (await parseManifestText(text)).form,
      open: async (link: string) => (await openShareLink(link)).doc.form,
      // Named and worded like a manifest error, but without a code.
      impostor: async () => {
        throw Object.assign(new Error('Not a valid Safeload manifest: schema'), { name: 'ManifestError' });
      }
    },
    channel.port1
  );
  const remote = Comlink.wrap<{
    read(text: string): Promise<string>;
    open(link: string): Promise<string>;
    impostor(): Promise<void>;
  }>(channel.port2);
  afterAll(() => {
    channel.port1.close();
    channel.port2.close();
  });

  it('a rejected manifest arrives with its name, message and code, and is shown as a manifest problem', async () => {
    const err = await failure(() => remote.read('{"schema": '));
    expect(err).not.toBeInstanceOf(ManifestError);
    expect(err).toMatchObject({
      name: 'ManifestError',
      code: 'MANIFEST_SYNTAX',
      message: 'The manifest is not valid JSON.'
    });
    expect(problemOf(err)).toEqual({
      kind: 'manifest',
      message: 'The manifest is not valid JSON.',
      retryAfterSeconds: null
    });
  });

  it('a damaged link arrives with its code; an error without one is "other", whatever its name or text', async () => {
    const link = await failure(() => remote.open('#m=ab$c'));
    expect(link).not.toBeInstanceOf(ShareLinkError);
    expect(link).toMatchObject({ name: 'ShareLinkError', code: 'SHARE_LINK_DAMAGED' });
    expect(problemOf(link).kind).toBe('manifest');
    const plain = await failure(() => remote.impostor());
    expect((plain as { code?: unknown }).code).toBeUndefined();
    expect(problemOf(plain).kind).toBe('other');
  });
});
