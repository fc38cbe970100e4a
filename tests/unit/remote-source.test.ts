// The remote ByteSource and range fetcher against a real HTTP emulation of the Hub (two origins on 127.0.0.1).
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { remoteSource } from '../../src/lib/core/bytes/remote-source';
import { HubError } from '../../src/lib/core/provenance/errors';
import { DownloadBudget, DownloadBudgetError } from '../../src/lib/core/remote/budget';
import { openHubFile } from '../../src/lib/core/remote/hub-file';
import { parseContentRange, RangeFetcher } from '../../src/lib/core/remote/range-fetcher';
import { fetchTransport } from '../../src/lib/core/remote/transport';
import { scanSource } from '../../src/lib/core/scan';
import { GgufWriter } from '../fixtures/gguf/build';
import { startHubEmulator, type EmulatedRepo, type HubEmulator } from '../hub-emulator/server';

const COMMIT = 'a'.repeat(40);
const TOKEN = 'hf_unitTestTokenNeverSentToTheCdn0001';
const BIG = randomBytes(3 * 1024 * 1024 + 123);
const SMALL = new TextEncoder().encode('{"model_type": "bert"}\n');
const ref = { repoType: 'model' as const, repoId: 'acme/private-model' };

let hub: HubEmulator | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

async function start(extra: Partial<EmulatedRepo> = {}, delay?: number) {
  hub = await startHubEmulator({
    repos: [
      {
        repoId: ref.repoId,
        commit: COMMIT,
        token: TOKEN,
        files: { 'model.bin': { content: BIG, lfs: true }, 'config.json': { content: SMALL } },
        ...extra
      }
    ],
    contentDelayMs: delay
  });
  return hub;
}

function fetcher(h: HubEmulator, options: { concurrency?: number; fileOrigins?: string[] } = {}) {
  return new RangeFetcher({
    transport: fetchTransport(fetch),
    token: TOKEN,
    hub: h.hub,
    fileOrigins: options.fileOrigins ?? [h.cdn],
    concurrency: options.concurrency,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2000 }
  });
}

function open(
  h: HubEmulator,
  f: RangeFetcher,
  path: string,
  size: number,
  limits = { perFileBytes: 1 << 30, totalBytes: 1 << 30 }
) {
  return openHubFile(f, ref, COMMIT, { path, size }, new DownloadBudget(limits).forFile());
}

describe('range reads of Hub files', () => {
  it('follows the 302 to the file host once, reads exact ranges, and sends the token only to the Hub', async () => {
    const h = await start();
    const f = fetcher(h);
    const file = open(h, f, 'model.bin', BIG.length);
    expect(Buffer.from(await file.source.read(1_000_000, 100))).toEqual(BIG.subarray(1_000_000, 1_000_100));
    expect(Buffer.from(await file.source.read(BIG.length - 10, 50))).toEqual(BIG.subarray(BIG.length - 10));
    const resolves = h.requests.filter((r) => r.server === 'hub');
    const cdn = h.requests.filter((r) => r.server === 'cdn');
    expect(resolves).toHaveLength(1); // the second read goes straight to the remembered CDN address
    expect(resolves[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(cdn).toHaveLength(2);
    for (const r of cdn) expect(r.headers.authorization).toBeUndefined();
    expect(cdn[0].headers.range).toBe(`bytes=1000000-${1_000_000 + 64 * 1024 - 1}`);
    expect(file.bytesFetched()).toBe(64 * 1024 + 10);
  });

  it('reads a regular git file through the same-host 307 to the resolve cache', async () => {
    const h = await start();
    const f = fetcher(h);
    const file = open(h, f, 'config.json', SMALL.length);
    expect(new TextDecoder().decode(await file.source.read(0, SMALL.length))).toBe(
      '{"model_type": "bert"}\n'
    );
    const [first, second] = h.requests;
    expect(first.url).toContain('/resolve/');
    expect(second.url).toContain('/api/resolve-cache/models/acme/private-model/');
    expect(second.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('shares overlapping reads and serves repeats from the cache', async () => {
    const h = await start();
    const file = open(h, fetcher(h), 'model.bin', BIG.length);
    const [a, b] = await Promise.all([file.source.read(0, 4096), file.source.read(100, 200)]);
    expect(Buffer.from(a)).toEqual(BIG.subarray(0, 4096));
    expect(Buffer.from(b)).toEqual(BIG.subarray(100, 300));
    await file.source.read(5000, 10);
    expect(h.requests.filter((r) => r.server === 'cdn')).toHaveLength(1);
    expect(h.bytesServed()).toBe(64 * 1024);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const h = await start({}, 30);
    const file = open(h, fetcher(h, { concurrency: 2 }), 'model.bin', BIG.length);
    await Promise.all(Array.from({ length: 8 }, (_, i) => file.source.read(i * 300_000, 10)));
    expect(h.maxConcurrent()).toBe(2);
  });

  it('retries 429 (honouring Retry-After), 503 and a cut body, then succeeds', async () => {
    const h = await start();
    h.fault('model.bin', { kind: 'status', status: 429, retryAfter: '0', times: 1 });
    h.fault('model.bin', { kind: 'status', status: 503, times: 1 });
    const f = fetcher(h);
    const file = open(h, f, 'model.bin', BIG.length);
    expect(Buffer.from(await file.source.read(10, 10))).toEqual(BIG.subarray(10, 20));
    h.fault('model.bin', { kind: 'cut', times: 1 });
    expect(Buffer.from(await file.source.read(2_000_000, 70_000))).toEqual(
      BIG.subarray(2_000_000, 2_070_000)
    );
    expect(f.stats.retries).toBe(3);
  });

  it('gives up after the last attempt with a typed error, and a later read may try again', async () => {
    const h = await start();
    h.fault('model.bin', { kind: 'status', status: 500, times: 3 });
    const file = open(h, fetcher(h), 'model.bin', BIG.length);
    const err = await file.source.read(0, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_SERVER');
    expect(file.failed()).toBe(err);
    expect(Buffer.from(await file.source.read(0, 10))).toEqual(BIG.subarray(0, 10));
  });

  it('does not wait out a Retry-After longer than its limit', async () => {
    const h = await start();
    h.fault('model.bin', { kind: 'status', status: 429, retryAfter: '3600', times: 5 });
    const err = await open(h, fetcher(h), 'model.bin', BIG.length)
      .source.read(0, 10)
      .catch((e: unknown) => e);
    expect((err as HubError).code).toBe('HUB_RATE_LIMITED');
    expect((err as HubError).retryAfterSeconds).toBe(3600);
  });

  it('refuses a file whose served size differs from the listing (Content-Range total, 416)', async () => {
    const h = await start();
    const longer = open(h, fetcher(h), 'model.bin', BIG.length + 1000);
    await expect(longer.source.read(0, 10)).rejects.toThrow(
      /holds 3145851 bytes but the Hub listing says 3146851/
    );
    await expect(longer.source.read(BIG.length + 10, 10)).rejects.toThrow(/fewer bytes than the Hub listing/);
  });

  it('refuses a redirect to a host that is not a Hub file host', async () => {
    const h = await start();
    const f = fetcher(h, { fileOrigins: ['https://cdn-lfs.hf.co'] });
    await expect(open(h, f, 'model.bin', BIG.length).source.read(0, 10)).rejects.toThrow(
      /not one of its file hosts; refusing to follow/
    );
    expect(h.requests.filter((r) => r.server === 'cdn')).toHaveLength(0);
  });

  it('asks the Hub again when the remembered CDN address is refused (expired signature)', async () => {
    const h = await start();
    const file = open(h, fetcher(h), 'model.bin', BIG.length);
    await file.source.read(0, 10);
    h.fault('model.bin', { kind: 'status', status: 403, times: 1 });
    expect(Buffer.from(await file.source.read(1_500_000, 10))).toEqual(BIG.subarray(1_500_000, 1_500_010));
    expect(h.requests.filter((r) => r.server === 'hub')).toHaveLength(2);
  });

  it('takes only the head from a server that ignores Range, and cancels the rest', async () => {
    const h = await start();
    h.fault('model.bin', { kind: 'ignore-range', times: 1 });
    const file = open(h, fetcher(h), 'model.bin', BIG.length);
    expect(Buffer.from(await file.source.read(0, 100))).toEqual(BIG.subarray(0, 100));
    expect(file.bytesFetched()).toBe(64 * 1024);
  });

  it('stops at the per-file download limit with a budget error', async () => {
    const h = await start();
    const file = open(h, fetcher(h), 'model.bin', BIG.length, { perFileBytes: 100_000, totalBytes: 1 << 30 });
    await file.source.read(0, 10);
    const err = await file.source.read(1_000_000, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadBudgetError);
    expect(file.refused()).toBe(err);
    expect(file.bytesFetched()).toBe(64 * 1024);
  });

  it('rejects 401 for a private repo without the token, with the Hub error wording', async () => {
    const h = await start();
    const f = new RangeFetcher({ transport: fetchTransport(fetch), hub: h.hub, fileOrigins: [h.cdn] });
    await expect(open(h, f, 'model.bin', BIG.length).source.read(0, 10)).rejects.toThrow(/private/);
  });
});

describe('remoteSource cache', () => {
  it('evicts least recently used ranges beyond its bound and refetches them on demand', async () => {
    const data = randomBytes(1024 * 1024);
    const fetched: string[] = [];
    const src = remoteSource(
      'x',
      data.length,
      async (s, e) => {
        fetched.push(`${s}-${e}`);
        return data.subarray(s, e);
      },
      { minFetchBytes: 1000, cacheBytes: 2500 }
    );
    await src.read(0, 10);
    await src.read(5000, 10);
    await src.read(10_000, 10);
    await src.read(0, 10); // evicted by now
    expect(fetched).toEqual(['0-1000', '5000-6000', '10000-11000', '0-1000']);
    expect(Buffer.from(await src.read(999, 2))).toEqual(data.subarray(999, 1001));
  });

  it('scans a GGUF of 1 GiB for its head and tail probes only (< 0.1 % of the file fetched)', async () => {
    const w = new GgufWriter().str('general.architecture', 'llama');
    for (let i = 0; i < 32; i++)
      w.tensor({ name: `blk.${i}.weight`, dims: [4096, 4096], type: 1, bytes: 4096 * 4096 * 2 });
    const { header, fileSize } = w.buildHeader();
    const fetched: number[] = [];
    // The weights are a hole: only the header exists; what lies past it reads as zeros.
    const src = remoteSource('model.gguf', fileSize, async (s, e) => {
      fetched.push(e - s);
      const out = new Uint8Array(e - s);
      if (s < header.length) out.set(header.subarray(s, Math.min(e, header.length)));
      return out;
    });
    const report = await scanSource(src);
    expect(report.formats).toContain('gguf');
    expect(report.facts?.['gguf.tensors']).toBe(32);
    expect(report.complete).toBe(true);
    const total = fetched.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(128 * 1024); // the 64 KiB format probes at the head and the tail
    expect(total / fileSize).toBeLessThan(0.001);
  });

  it('parses Content-Range strictly', () => {
    expect(parseContentRange('bytes 0-99/548105171')).toEqual({ start: 0, end: 99, total: 548105171 });
    expect(parseContentRange('bytes 5-4/10')).toBeNull();
    expect(parseContentRange('bytes */10')).toBeNull();
  });
});
