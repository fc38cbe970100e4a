import { gzipSync, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/lib/core/bytes/byte-source';
import type { FileReport } from '../../src/lib/core/findings';
import { DEFAULT_LIMITS, type ScanLimits } from '../../src/lib/core/limits';
import { scanSource } from '../../src/lib/core/scan';
import { decodeLz4Frames } from '../../src/lib/core/formats/compressed/lz4';
import { describeDtype } from '../../src/lib/core/formats/numpy/dtype';
import { LiteralError, parsePyLiteral, PyDict } from '../../src/lib/core/formats/numpy/py-literal';
import { joblibArraySpan } from '../../src/lib/core/formats/joblib/array-layout';
import { tar } from './fail-closed/archives';

const enc = new TextEncoder();
/** GLOBAL os system, MARK, STRING, TUPLE, REDUCE, STOP: os.system('echo pwned') when unpickled. */
const MALICIOUS = enc.encode("cos\nsystem\n(S'echo pwned'\ntR.");

function scan(bytes: Uint8Array, name: string, limits: Partial<ScanLimits> = {}): Promise<FileReport> {
  return scanSource(memorySource(bytes, name), { limits });
}
const rules = (r: FileReport) => r.findings.map((f) => f.ruleId);
const storedZip = (files: Record<string, Uint8Array>) =>
  zipSync(files, { level: 0, mtime: new Date(2020, 0, 1) });

describe('zip', () => {
  it('scans a pickle member by content whatever its name, with the member in the path', async () => {
    const r = await scan(storedZip({ 'weights/readme.txt': MALICIOUS }), 'm.zip');
    expect(r.verdict).toBe('critical');
    const hit = r.findings.find((f) => f.evidence.name === 'system');
    expect(hit?.location.path).toEqual(['m.zip', 'weights/readme.txt']);
  });

  it('inflates deflated members', async () => {
    const zipped = zipSync({ 'a.bin': MALICIOUS }, { level: 9 });
    expect(zipped[8]).toBe(8); // method deflate in the local header
    expect((await scan(zipped, 'd.zip')).verdict).toBe('critical');
  });

  it('reports an unsupported compression method as not analysed', async () => {
    const z = storedZip({ 'data.pkl': MALICIOUS });
    z[8] = 12; // local header method: bzip2
    const central = findSig(z, [0x50, 0x4b, 1, 2]);
    z[central + 10] = 12;
    const r = await scan(z, 'b.zip');
    expect(r.complete).toBe(false);
    expect(r.findings.some((f) => f.message.includes('bzip2'))).toBe(true);
  });

  it('says a zip without its central directory is incomplete, never clean', async () => {
    const z = storedZip({ 'data.pkl': enc.encode('N.') });
    const r = await scan(z.subarray(0, findSig(z, [0x50, 0x4b, 1, 2])), 't.zip');
    expect(r.complete).toBe(false);
    expect(r.verdict).toBe('medium');
  });

  it('bounds the number of members analysed', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 5; i++) files[`f${i}.txt`] = enc.encode('x');
    files['z_last.pkl'] = MALICIOUS;
    const r = await scan(storedZip(files), 'many.zip', { maxArchiveEntries: 2 });
    expect(r.complete).toBe(false);
    expect(r.findings.some((f) => f.message.includes('only the first 2'))).toBe(true);
  });

  it('stops at the nesting limit and says so', async () => {
    let inner = storedZip({ 'p.pkl': MALICIOUS });
    for (let i = 0; i < 3; i++) inner = storedZip({ [`level${i}.zip`]: inner });
    const shallow = await scan(inner, 'nest.zip', { maxDepth: 2 });
    expect(shallow.complete).toBe(false);
    expect(shallow.findings.some((f) => f.message.includes('Nesting deeper than 2'))).toBe(true);
    expect((await scan(inner, 'nest.zip')).verdict).toBe('critical');
  });

  it('flags duplicate member names', async () => {
    const z = storedZip({ 'aaaa.pkl': enc.encode('N.'), 'bbbb.pkl': MALICIOUS });
    const second = findSig(z, [0x50, 0x4b, 1, 2], findSig(z, [0x50, 0x4b, 1, 2]) + 4);
    z.set(enc.encode('aaaa'), second + 46);
    const r = await scan(z, 'dup.zip');
    expect(rules(r)).toContain('zip.duplicate-name');
    expect(r.verdict).toBe('critical');
  });
});

function findSig(bytes: Uint8Array, sig: number[], from = 0): number {
  for (let i = from; i < bytes.length; i++) if (sig.every((b, j) => bytes[i + j] === b)) return i;
  throw new Error('signature not found');
}

describe('compressed streams', () => {
  it('reports a gzip bomb and stops near the limit', async () => {
    const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(100 * 1024);
    const limits = { maxDecompressedBytes: 8 * 1024 * 1024, maxCompressionRatio: 200 };
    const r = await scan(bomb, 'bomb.gz', limits);
    const finding = r.findings.find((f) => f.ruleId === 'archive.decompression-bomb');
    expect(finding?.severity).toBe('high');
    expect(Number(finding?.evidence.details?.produced)).toBeLessThan(
      limits.maxDecompressedBytes + 8 * 1024 * 1024
    );
    expect(r.complete).toBe(false);
  });

  it('treats over-limit output without an extreme ratio as incomplete only', async () => {
    const random = new Uint8Array(256 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    const r = await scan(gzipSync(random), 'big.gz', { maxDecompressedBytes: 64 * 1024 });
    expect(rules(r)).not.toContain('archive.decompression-bomb');
    expect(r.complete).toBe(false);
  });

  it('decodes LZ4 frames written by python-lz4 and enforces the cap', () => {
    const file = readFileSync(join(import.meta.dirname, '../fixtures/models/joblib_plain_lz4.joblib'));
    const ok = decodeLz4Frames(new Uint8Array(file), 1 << 20);
    expect(ok.ok && [...ok.bytes.subarray(0, 2)]).toEqual([0x80, 0x04]);
    const capped = decodeLz4Frames(new Uint8Array(file), 10);
    expect(capped.ok).toBe(false);
  });

  it('scans a tar.gz member by content', async () => {
    const r = await scan(gzipSync(tar([{ name: 'model/w.dat', data: MALICIOUS }])), 'm.tar.gz');
    expect(r.formats).toEqual(expect.arrayContaining(['gzip', 'tar']));
    expect(r.verdict).toBe('critical');
  });
});

describe('tar', () => {
  it('flags symlinks, hard links and pax paths that escape', async () => {
    const pax = enc.encode('29 path=../../root/.bashrc_x\n');
    const r = await scan(
      tar([
        { name: 'link', type: '2', link: '/etc/passwd' },
        { name: 'hard', type: '1', link: '../outside' },
        { name: 'PaxHeader', type: 'x', data: pax },
        { name: 'innocent.txt', data: enc.encode('hi') }
      ]),
      'x.tar'
    );
    expect(rules(r)).toEqual(
      expect.arrayContaining(['archive.symlink', 'archive.hardlink', 'archive.path-traversal'])
    );
    expect(r.findings.find((f) => f.ruleId === 'archive.path-traversal')?.evidence.details?.member).toBe(
      '../../root/.bashrc_x'
    );
  });

  it('stops with "incomplete" at a damaged header', async () => {
    const t = tar([
      { name: 'a.pkl', data: enc.encode('N.') },
      { name: 'b.pkl', data: MALICIOUS }
    ]);
    t[1024 + 1] ^= 0xff; // second header's name, checksum now wrong
    const r = await scan(t, 'bad.tar');
    expect(r.complete).toBe(false);
  });
});

describe('numpy', () => {
  it('parses header literals without evaluating them', () => {
    const v = parsePyLiteral(
      "{'descr': [('a', '<f4'), ('b', '|O', (2,))], 'fortran_order': False, 'shape': (3,), }"
    );
    expect(v).toBeInstanceOf(PyDict);
    const dtype = describeDtype((v as PyDict).entries.get('descr')!);
    expect(dtype).toEqual({ hasObject: true, itemSize: 4 + 8 * 2 });
    expect(() => parsePyLiteral("__import__('os').system('x')")).toThrow(LiteralError);
    expect(describeDtype('<U5').itemSize).toBe(20);
  });

  it('scans the pickle inside a structured dtype with an object field (v2 header)', async () => {
    const header = "{'descr': [('x', '<i4'), ('y', '|O')], 'fortran_order': False, 'shape': (1,), }\n";
    const pre = new Uint8Array(12);
    pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(pre.buffer).setUint32(8, header.length, true);
    const file = new Uint8Array([...pre, ...enc.encode(header), ...MALICIOUS]);
    const r = await scan(file, 'rec.npy');
    expect(rules(r)).toContain('numpy.object-array');
    expect(r.verdict).toBe('critical');
  });

  it('reports a header that is not a literal as incomplete', async () => {
    const header = "{'descr': os.system('x'), 'shape': (1,)}\n";
    const file = new Uint8Array([
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      1,
      0,
      header.length,
      0,
      ...enc.encode(header)
    ]);
    const r = await scan(file, 'evil.npy');
    expect(r.complete).toBe(false);
  });
});

describe('joblib array layout', () => {
  it('follows read_array: padding byte, padding, then prod(shape) * itemsize bytes', () => {
    expect(
      joblibArraySpan({ shape: [2, 3], itemSize: 8, hasObject: false, alignmentBytes: 16 }, 100, 2)
    ).toEqual({
      kind: 'raw',
      start: 100,
      dataStart: 103,
      end: 151
    });
    expect(joblibArraySpan({ shape: [4], itemSize: 4, hasObject: false }, 10, undefined)).toMatchObject({
      end: 26
    });
    expect(joblibArraySpan({ shape: [2], itemSize: 8, hasObject: true }, 5, undefined).kind).toBe(
      'nested-pickle'
    );
  });
});

it('uses DEFAULT_LIMITS when none are given: nesting stops exactly past the default depth', async () => {
  const nested = (layers: number) => {
    let bytes = storedZip({ 'p.pkl': MALICIOUS });
    for (let i = 1; i < layers; i++) bytes = storedZip({ [`level${i}.zip`]: bytes });
    return bytes;
  };
  const withDefaults = (bytes: Uint8Array) => scanSource(memorySource(bytes, 'nest.zip'));
  const deepest = await withDefaults(nested(DEFAULT_LIMITS.maxDepth));
  expect(deepest).toMatchObject({ verdict: 'critical', complete: true });
  const tooDeep = await withDefaults(nested(DEFAULT_LIMITS.maxDepth + 1));
  expect(tooDeep.complete).toBe(false);
  expect(tooDeep.findings.map((f) => f.message).join('\n')).toContain(
    `Nesting deeper than ${DEFAULT_LIMITS.maxDepth} levels was not followed`
  );
  // A limit the caller gives replaces the default.
  const allowed = await scan(nested(DEFAULT_LIMITS.maxDepth + 1), 'nest.zip', {
    maxDepth: DEFAULT_LIMITS.maxDepth + 1
  });
  expect(allowed).toMatchObject({ verdict: 'critical', complete: true });
});
