import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import { makeIgnore } from '../../src/lib/core/signing/ignore-paths';
import { diffModel } from '../../src/lib/core/signing/model-diff';
import { parseModelStatement, type SignedManifest } from '../../src/lib/core/signing/model-manifest';
import { digestWithHashWasm } from '../../src/lib/core/signing/range-digest';
import { describeShared } from '../shared-fixtures';
import { SIGSTORE } from './signing-fixtures';

const GOLDEN = join(SIGSTORE, 'model-transparency/golden-payloads');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describeShared('model_signing golden payloads', () => {
  const names = readdirSync(GOLDEN).sort();
  it('has the 21 payloads', () => expect(names).toHaveLength(21));
  for (const name of names) {
    it(`${name}: ROOT digest recomputed from the listed resources equals the subject`, () => {
      const m = parseModelStatement(readFileSync(join(GOLDEN, name)));
      expect(m.root?.recomputed).toBe(m.root?.signed);
      if (name.endsWith('small_shards'))
        expect(m.serialization).toMatchObject({ method: 'shards', shardSize: 8 });
    });
  }

  it('a reordered resource list no longer matches its subject', () => {
    const json = JSON.parse(readFileSync(join(GOLDEN, 'sample_model_folder'), 'utf8'));
    json.predicate.resources.reverse();
    const m = parseModelStatement(Buffer.from(JSON.stringify(json)));
    expect(m.root?.recomputed).not.toBe(m.root?.signed);
  });

  it('rejects unknown predicates, path traversal and malformed digests', () => {
    const json = JSON.parse(readFileSync(join(GOLDEN, 'sample_model_folder'), 'utf8'));
    const bad = (mutate: (j: typeof json) => void) => {
      const copy = structuredClone(json);
      mutate(copy);
      return () => parseModelStatement(Buffer.from(JSON.stringify(copy)));
    };
    expect(bad((j) => (j.predicateType = 'https://example.com/other'))).toThrow(/predicateType/);
    expect(bad((j) => (j.predicate.resources[0].name = '../etc/passwd'))).toThrow(/normalised/);
    expect(bad((j) => (j.predicate.resources[0].digest = 'abc'))).toThrow(/hex/);
    expect(bad((j) => j.subject.push(j.subject[0]))).toThrow(/exactly one subject/);
  });
});

describe('local re-hashing', () => {
  const a = Uint8Array.from({ length: 23 }, (_, i) => i * 7);
  const empty = new Uint8Array(0);
  const files = [
    { path: 'd0/a', source: memorySource(a, 'a') },
    { path: 'empty', source: memorySource(empty, 'empty') }
  ];

  it('shards: [0,8),[8,16),[16,23); no resource for an empty file; numeric order', async () => {
    const ranges = [
      [0, 8],
      [8, 16],
      [16, 23]
    ];
    const manifest: SignedManifest = {
      predicateType: 'https://model_signing/signature/v1.0',
      serialization: {
        method: 'shards',
        hashType: 'sha256',
        shardSize: 8,
        allowSymlinks: false,
        ignorePaths: []
      },
      entries: ranges.map(([s, e]) => ({
        key: `d0/a:${s}:${e}`,
        path: 'd0/a',
        range: { start: s, end: e },
        algorithm: 'sha256-sharded-8',
        digest: sha256(a.subarray(s, e))
      }))
    };
    const diff = await diffModel(files, manifest, { digest: digestWithHashWasm });
    expect(diff).toMatchObject({ missing: [], extra: [], mismatched: [], matched: 3 });
    manifest.entries[1].digest = sha256(a.subarray(0, 8));
    expect(
      (await diffModel(files, manifest, { digest: digestWithHashWasm })).mismatched.map((m) => m.name)
    ).toEqual(['d0/a:8:16']);
  });

  it('hashes shards concurrently when asked, with the same verdict and order', async () => {
    const big = Uint8Array.from({ length: 80 }, (_, i) => (i * 31) % 251);
    const manifest: SignedManifest = {
      predicateType: 'https://model_signing/signature/v1.0',
      serialization: {
        method: 'shards',
        hashType: 'sha256',
        shardSize: 8,
        allowSymlinks: false,
        ignorePaths: []
      },
      entries: Array.from({ length: 10 }, (_, i) => ({
        key: `w:${i * 8}:${i * 8 + 8}`,
        path: 'w',
        range: { start: i * 8, end: i * 8 + 8 },
        algorithm: 'sha256-sharded-8',
        digest: sha256(big.subarray(i * 8, i * 8 + 8))
      }))
    };
    manifest.entries[6].digest = sha256(big.subarray(0, 8));
    let inFlight = 0;
    let peak = 0;
    const digest: typeof digestWithHashWasm = async (source, hashType, opts) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setImmediate(r)); // one turn, so the other lanes start meanwhile
      try {
        return await digestWithHashWasm(source, hashType, opts);
      } finally {
        inFlight--;
      }
    };
    const wFile = [{ path: 'w', source: memorySource(big, 'w') }];
    const diff = await diffModel(wFile, manifest, { digest, concurrency: 3 });
    expect(peak).toBe(3);
    expect(diff).toMatchObject({ matched: 9, missing: [], extra: [] });
    expect(diff.mismatched.map((m) => m.name)).toEqual(['w:48:56']);
  });

  it('files mode with blake2b (64-byte) matches Node, and the empty file has a resource', async () => {
    const blake = (b: Uint8Array) => createHash('blake2b512').update(b).digest('hex');
    const manifest: SignedManifest = {
      predicateType: 'https://model_signing/signature/v1.0',
      serialization: { method: 'files', hashType: 'blake2b', allowSymlinks: false, ignorePaths: [] },
      entries: [
        { key: 'd0/a', path: 'd0/a', algorithm: 'blake2b', digest: blake(a) },
        { key: 'empty', path: 'empty', algorithm: 'blake2b', digest: blake(empty) }
      ]
    };
    expect(await diffModel(files, manifest, { digest: digestWithHashWasm })).toMatchObject({
      mismatched: [],
      matched: 2
    });
  });

  it('blake3 of the empty input is the published test vector', async () => {
    expect(await digestWithHashWasm(memorySource(empty), 'blake3', {})).toBe(
      'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'
    );
  });

  it('ignore paths match whole path components only', () => {
    const ignored = makeIgnore(['.git', 'ignore-me', 'sub/dir/']);
    expect(['.git/config', 'ignore-me', 'sub/dir/x', '.git'].every(ignored)).toBe(true);
    expect(['.gitx', 'ignore-me2', 'sub/directory', 'a/.git'].some(ignored)).toBe(false);
  });
});
