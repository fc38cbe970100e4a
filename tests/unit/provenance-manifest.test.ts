import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { captureFromHub } from '../../src/lib/core/provenance/capture';
import { canonicalJson } from '../../src/lib/core/provenance/canonical-json';
import { compareWithHub } from '../../src/lib/core/provenance/compare-hub';
import { CanonicalJsonError, ManifestError, ShareLinkError } from '../../src/lib/core/provenance/errors';
import { HubClient } from '../../src/lib/core/provenance/hub-client';
import { parseHubRef } from '../../src/lib/core/provenance/hub-ref';
import { inTotoStatement, IN_TOTO_STATEMENT_V1 } from '../../src/lib/core/provenance/in-toto';
import {
  expectedFromManifest,
  expectedFromRemote,
  manifestDigest,
  manifestFromCapture,
  type Manifest
} from '../../src/lib/core/provenance/manifest';
import { parseManifest } from '../../src/lib/core/provenance/manifest-parse';
import { matchFiles, type LocalFile, type MatchResult } from '../../src/lib/core/provenance/match';
import {
  decodeManifestFragment,
  encodeManifestFragment,
  shareLink
} from '../../src/lib/core/provenance/share-link';
import { toYaml } from '../../src/lib/core/provenance/yaml';
import { SAFELOAD_VERSION } from '../../src/lib/core/version';
import { BERT, BERT_COMMIT, bertHub, fixture, FixtureHub } from './provenance-hub-fixtures';
import { describeShared } from '../shared-fixtures';

const TOKEN = 'hf_SecretTokenThatMustNeverLeak0123456789';
const now = () => new Date('2026-01-02T03:04:05Z');

async function capturedManifest(
  token?: string
): Promise<{ manifest: Manifest; hub: FixtureHub; local: LocalFile[]; match: MatchResult }> {
  const hub = bertHub();
  const cap = await captureFromHub(
    new HubClient({ fetch: hub.fetch, token }),
    parseHubRef(BERT, BERT_COMMIT),
    { now }
  );
  // A drop where the regular files hashed to their Hub blob ids (with their own SHA-256) and one file is missing.
  const local: LocalFile[] = cap.files
    .filter((f) => f.path !== 'pytorch_model.bin')
    .map((f) => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256 ?? f.gitBlobSha1.padEnd(64, '0'),
      gitSha1: f.lfs ? undefined : f.gitBlobSha1
    }));
  const match = matchFiles(expectedFromRemote(cap.files), local);
  return { manifest: await manifestFromCapture(cap), hub, local, match };
}

describe('RFC 8785 canonical JSON', () => {
  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const keys = ['\u20ac', '\r', '\ufb33', '1', '\ud83d\ude00', '\u0080', '\u00f6'];
    const value = Object.fromEntries(keys.map((k, i) => [k, i]));
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    // (Checked on the text: JSON.parse would move the integer-like key "1" first again.)
    expect(canonicalJson(value)).toBe(
      `{${order.map((k) => `${JSON.stringify(k)}:${keys.indexOf(k)}`).join(',')}}`
    );
  });
  it('serialises numbers, literals and strings as JCS requires, without whitespace', () => {
    expect(
      // RFC 8785's own example: a literal that does not survive as a double, which is the point.
      // eslint-disable-next-line no-loss-of-precision
      canonicalJson({ numbers: [333333333.33333329, 1e30, 4.5, 0.002, 1e-27], literals: [null, true, false] })
    ).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}');
    expect(canonicalJson({ string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"/' })).toBe(
      '{"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    );
    expect(canonicalJson({ b: [-0, { y: 1, x: undefined }], a: 'z' })).toBe('{"a":"z","b":[0,{"y":1}]}');
    for (const value of [NaN, new Date(), () => 1]) {
      const err = (() => {
        try {
          canonicalJson({ x: value });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CanonicalJsonError);
      expect(err).toMatchObject({ code: 'CANONICAL_JSON_VALUE' });
    }
  });
});

describeShared('manifest', () => {
  it('records source, tool, capture, repo facts and what the Hub lists per file, and never the token', async () => {
    const { manifest: m, hub, match } = await capturedManifest(TOKEN);
    expect(m.tool).toEqual({ name: 'safeload', version: SAFELOAD_VERSION });
    expect(m.source).toMatchObject({
      kind: 'hub',
      repoId: BERT,
      requestedRevision: BERT_COMMIT,
      resolvedCommit: BERT_COMMIT
    });
    expect(m.source.purl).toBe(`pkg:huggingface/${BERT}@${BERT_COMMIT}`);
    expect(m.capturedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(m.authenticated).toBe(true);
    // The claim only: what the Hub lists. The local check (one file missing here) is not part of it.
    expect(Object.fromEntries(m.files.map((f) => [f.path, [f.status, f.sha256Source]]))).toEqual({
      '.gitattributes': ['not-checked', null],
      'config.json': ['not-checked', null],
      'pytorch_model.bin': ['not-checked', 'hub-lfs'],
      'tf_model.h5': ['not-checked', 'hub-lfs'],
      'vocab.txt': ['not-checked', null]
    });
    expect(match.counts).toMatchObject({ verified: 4, missing: 1 });
    expect(m.extraLocalFiles).toEqual([]);
    expect(m.downloadedAt).toBeNull();
    // The token reached the Hub, and nothing else.
    expect(hub.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const outputs = [
      JSON.stringify(m),
      toYaml(m),
      shareLink('https://safeload.example/', m),
      JSON.stringify(inTotoStatement(m))
    ];
    for (const text of outputs) expect(text).not.toContain(TOKEN);
  });

  it('a token never appears in an error message', async () => {
    const hub = new FixtureHub().route(
      `https://huggingface.co/api/models/${BERT}/revision/main?securityStatus=true`,
      {
        status: 403,
        headers: { 'X-Error-Message': `token ${TOKEN} not granted` },
        body: {}
      }
    );
    const err = await new HubClient({ fetch: hub.fetch, token: TOKEN })
      .repoInfo(parseHubRef(BERT, 'main'))
      .catch((e) => e);
    expect(err.code).toBe('HUB_FORBIDDEN');
    expect(err.message).not.toContain(TOKEN);
  });

  it('its digest is SHA-256 over the JCS form without the digest member, and any edit breaks it', async () => {
    const { manifest: m } = await capturedManifest();
    const { sha256 } = await import('hash-wasm');
    const { digest, ...body } = m;
    expect(digest.value).toBe(await sha256(canonicalJson(body)));
    // Key order and whitespace do not matter; content does.
    const reordered = JSON.parse(
      JSON.stringify({ digest, ...Object.fromEntries(Object.entries(body).reverse()) })
    );
    expect(await manifestDigest(reordered)).toBe(digest.value);
    await expect(parseManifest(JSON.parse(JSON.stringify(reordered, null, 2)))).resolves.toBeTruthy();
    const edited = structuredClone(m);
    edited.files[3].sha256 = 'a'.repeat(64);
    await expect(parseManifest(edited)).rejects.toThrow(/altered or corrupted/);
  });

  it('validation rejects wrong shapes with a clear message', async () => {
    const { manifest: m } = await capturedManifest();
    const cases: [(x: any) => void, RegExp][] = [
      [(x) => (x.schema = 'other'), /schema/],
      [(x) => (x.schemaVersion = 99), /schemaVersion/],
      [(x) => (x.files[0].path = '../../etc/passwd'), /files\[0\]\.path/],
      [(x) => (x.files[1].sha256 = 'XYZ'), /files\[1\]\.sha256/],
      [(x) => (x.files[2].status = 'fine'), /files\[2\]\.status/],
      [(x) => (x.files = [x.files[0], x.files[0]]), /repeats/],
      [(x) => (x.source.hub = 'https://evil.example'), /source\.hub/]
    ];
    for (const [edit, message] of cases) {
      const bad = structuredClone(m) as any;
      edit(bad);
      await expect(parseManifest(bad)).rejects.toThrow(message);
    }
  });

  it('exports YAML that reads back to the same data', async () => {
    const { manifest: m } = await capturedManifest();
    const yaml = toYaml(m, 'Safeload provenance manifest');
    expect(parseYaml(yaml)).toEqual(JSON.parse(JSON.stringify(m)));
    const tricky = {
      a: ['no', 'null', '1e3', '', ' x', 'line\nbreak', 'emoji 😀', 'lone \ud800'],
      'b c': { null: [], '-': {} },
      n: [[1, [2]], [{ k: 0 }]]
    };
    const expected = { ...tricky, a: [...tricky.a.slice(0, 7), 'lone \ufffd'] };
    expect(parseYaml(toYaml(tricky))).toEqual(expected);
    // A YAML 1.1 reader (PyYAML) takes plain no/on/yes for booleans: nothing is left plain that it would.
    expect(parseYaml(toYaml({ ...tricky, no: 'on', yes: ['off'] }), { version: '1.1' })).toEqual({
      ...expected,
      no: 'on',
      yes: ['off']
    });
  });

  it('exports an unsigned in-toto Statement v1 whose subjects are the SHA-256 of the files', async () => {
    const { manifest: m } = await capturedManifest();
    const st = inTotoStatement(m);
    expect(st._type).toBe(IN_TOTO_STATEMENT_V1);
    // The Hub gives a SHA-256 for LFS files only; regular files are listed by their git blob id.
    expect(st.subject.map((s) => s.name)).toEqual(['pytorch_model.bin', 'tf_model.h5']);
    const h5 = st.subject.find((s) => s.name === 'tf_model.h5')!;
    expect(h5.digest).toEqual({ sha256: 'a7a17d6d844b5de815ccab5f42cad6d24496db3850a2a43d8258221018ce87d2' });
    expect(st.predicate.filesWithoutSha256).toContainEqual({
      path: 'vocab.txt',
      gitBlob: 'fb140275c155a9c7c5a3b3e0e77a9e839594a938'
    });
    expect(st.predicate.manifestDigest).toEqual(m.digest);
    expect(st.predicate.manifest).toEqual(m);
    expect(st.predicate.verification).toMatchObject({ verified: 0, notChecked: 5 });
  });
});

describeShared('share links', () => {
  it('round-trip a manifest through #m= and re-verify a drop with no network', async () => {
    const { manifest: m, local } = await capturedManifest();
    const link = shareLink('https://safeload.example/verify?x=1#old', m);
    expect(link.startsWith('https://safeload.example/verify?x=1#m=')).toBe(true);
    expect(encodeManifestFragment(m)).toMatch(/^m=[A-Za-z0-9_-]+$/);
    const back = await decodeManifestFragment(link);
    expect(back).toEqual(JSON.parse(JSON.stringify(m)));
    const noNetwork = matchFiles(expectedFromManifest(back), local);
    expect(noNetwork.counts).toMatchObject({ verified: 4, missing: 1 });
  });

  it('decodes defensively', async () => {
    const { manifest: m } = await capturedManifest();
    const good = encodeManifestFragment(m);
    await expect(decodeManifestFragment('#x=1')).rejects.toThrow(/no manifest/);
    await expect(decodeManifestFragment('#m=ab$c')).rejects.toThrow(ShareLinkError);
    await expect(decodeManifestFragment(good.slice(0, good.length / 2))).rejects.toThrow(ShareLinkError);
    await expect(decodeManifestFragment(`m=${'A'.repeat(600_000)}`)).rejects.toThrow(/longer/);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
    const bomb = deflateSync(new Uint8Array(24 * 1024 * 1024).fill(32), { level: 9 });
    expect(bomb.length).toBeLessThan(512 * 1024);
    await expect(decodeManifestFragment(`m=${b64(bomb)}`)).rejects.toThrow(/expands to more than/);
    await expect(
      decodeManifestFragment(`m=${b64(deflateSync(new TextEncoder().encode('not json')))}`)
    ).rejects.toThrow(/JSON/);
    const other = deflateSync(new TextEncoder().encode(JSON.stringify({ ...m, schemaVersion: 2 })));
    await expect(decodeManifestFragment(`m=${b64(other)}`)).rejects.toThrow(ManifestError);
  });
});

describeShared('compare with the Hub now', () => {
  it('same commit: nothing moved, no listing needed', async () => {
    const { manifest: m } = await capturedManifest();
    const hub = new FixtureHub().route(
      `https://huggingface.co/api/models/${BERT}/revision/${BERT_COMMIT}?expand=sha`,
      {
        status: 200,
        body: { _id: 'x', id: BERT, sha: BERT_COMMIT }
      }
    );
    const drift = await compareWithHub(new HubClient({ fetch: hub.fetch }), m);
    expect(drift).toMatchObject({ revisionMoved: false, changed: [], added: [], removed: [], unchanged: 5 });
    expect(hub.requests).toHaveLength(1);
  });

  it('a branch that moved: which files changed, appeared or disappeared', async () => {
    const hub = bertHub();
    const cap = await captureFromHub(new HubClient({ fetch: hub.fetch }), parseHubRef(BERT, BERT_COMMIT), {
      now
    });
    const m = await manifestFromCapture({ ...cap, ref: { ...cap.ref, revision: 'main' } });
    const NEW = '86b5e0934494bd15c9632b12f734a8a67f723594';
    const api = `https://huggingface.co/api/models/${BERT}`;
    const tree = fixture('reconstructed__tree__google-bert_bert-base-uncased__dd4bc8b.json').response.body;
    const gpt2 = fixture('thirdparty__tree-entries__openai-community_gpt2-and-Bingsu_adetailer.json')
      .entries[2].entry;
    const later = [...tree.filter((e: { path: string }) => e.path !== 'vocab.txt'), gpt2].map(
      (e: { path: string }) =>
        e.path === 'config.json' ? { ...e, oid: '10c66461e4c109db5a2196bff4bb59be30396ed8', size: 665 } : e
    );
    const now2 = new FixtureHub()
      .recorded(
        'recorded__model-info__google-bert_bert-base-uncased__2025-01-22.json',
        `${api}/revision/main?expand=sha`
      )
      .route(`${api}/tree/${NEW}?recursive=true&expand=false`, { status: 200, body: later });
    const drift = await compareWithHub(new HubClient({ fetch: now2.fetch }), m);
    expect(drift).toMatchObject({
      capturedCommit: BERT_COMMIT,
      currentCommit: NEW,
      revisionMoved: true,
      added: ['model.safetensors'],
      removed: ['vocab.txt'],
      unchanged: 3
    });
    expect(drift.changed.map((c) => c.path)).toEqual(['config.json']);
  });
});
