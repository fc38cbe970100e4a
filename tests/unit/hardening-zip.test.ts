import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { rangeSource } from '../../src/lib/core/bytes/byte-source';
import { crc32 } from '../../src/lib/core/formats/zip/crc32';
import type { ScanLimits } from '../../src/lib/core/limits';
import { scanSource } from '../../src/lib/core/scan';

interface Member {
  name: string;
  /** Where its local header is; several central entries may name the same one. */
  headerAt: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
}

const enc = new TextEncoder();

function u16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}
function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function localHeader(name: string, method: number, crc: number, compressed: number, size: number): number[] {
  const n = enc.encode(name);
  return [
    ...u32(0x04034b50),
    ...u16(20),
    ...u16(0),
    ...u16(method),
    ...u16(0),
    ...u16(0),
    ...u32(crc),
    ...u32(compressed),
    ...u32(size),
    ...u16(n.length),
    ...u16(0),
    ...n
  ];
}

/** Appends a central directory for `members` (each naming a local header) and the end record. */
function finish(body: number[] | Uint8Array, members: Member[]): Uint8Array {
  const central: number[] = [];
  for (const m of members) {
    const n = enc.encode(m.name);
    central.push(
      ...u32(0x02014b50),
      ...u16(20),
      ...u16(20),
      ...u16(0),
      ...u16(m.method),
      ...u16(0),
      ...u16(0),
      ...u32(m.crc),
      ...u32(m.compressed),
      ...u32(m.size),
      ...u16(n.length),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u32(0),
      ...u32(m.headerAt),
      ...n
    );
  }
  const end = [
    ...u32(0x06054b50),
    ...u16(0),
    ...u16(0),
    ...u16(members.length),
    ...u16(members.length),
    ...u32(central.length),
    ...u32(body.length),
    ...u16(0)
  ];
  const out = new Uint8Array(body.length + central.length + end.length);
  out.set(body, 0);
  out.set(central, body.length);
  out.set(end, body.length + central.length);
  return out;
}

/** Scans bytes through a source that counts every byte read: the work a scan does, without a clock. */
async function scanCounting(bytes: Uint8Array, limits: Partial<ScanLimits>) {
  let read = 0;
  const src = rangeSource('bomb.zip', bytes.length, async (offset, length) => {
    read += length;
    return bytes.subarray(offset, offset + length);
  });
  const report = await scanSource(src, { limits });
  return { report, read };
}

const zeros = (n: number) => new Uint8Array(n);

describe('zip members that share bytes', () => {
  it('20,000 entries over one deflated kernel: the kernel is inflated once, the rest is a bomb finding', async () => {
    const kernel = zeros(16 * 1024 * 1024);
    const data = deflateSync(kernel, { level: 9 });
    const crc = crc32(kernel, 0);
    const body = [...localHeader('k', 8, crc, data.length, kernel.length), ...data];
    const members = Array.from({ length: 20_000 }, () => ({
      name: 'k',
      headerAt: 0,
      method: 8,
      crc,
      compressed: data.length,
      size: kernel.length
    }));
    const zip = finish(body, members);
    const { report, read } = await scanCounting(zip, { maxTotalDecompressedBytes: 64 * 1024 * 1024 });
    const rules = new Set(report.findings.map((f) => f.ruleId));
    expect(rules).toContain('zip.overlapping-members');
    expect(rules).toContain('archive.decompression-bomb');
    expect(report.verdict).toBe('high');
    // The compressed kernel is read once, not once per entry.
    expect(read).toBeLessThan(4 * zip.length);
  }, 30_000);

  it('once the per-file budget is spent, no later member is inflated (its data is never read)', async () => {
    const member = zeros(1024 * 1024);
    const data = deflateSync(member, { level: 9 });
    const crc = crc32(member, 0);
    const body: number[] = [];
    const members: Member[] = [];
    for (let i = 0; i < 1000; i++) {
      const name = `m${i}.bin`;
      members.push({
        name,
        headerAt: body.length,
        method: 8,
        crc,
        compressed: data.length,
        size: member.length
      });
      body.push(...localHeader(name, 8, crc, data.length, member.length), ...data);
    }
    const zip = finish(body, members);
    const { report, read } = await scanCounting(zip, { maxTotalDecompressedBytes: 4 * 1024 * 1024 });
    expect(report.complete).toBe(false);
    expect(report.findings.some((f) => /decompression budget/.test(f.message))).toBe(true);
    // Format probing (64 KiB head and tail), the end-record search (its 64 KiB comment window), the
    // directory and every local header are read; member data only while the budget lasts.
    const probing = 2 * 64 * 1024 + 22 + 0xffff;
    const headers = zip.length - 1000 * data.length;
    expect(read - probing - 2 * headers).toBeLessThan(10 * data.length);
  }, 30_000);

  it('stored members overlapping each other count against the same budget', async () => {
    const payload = new Uint8Array(512 * 1024).fill(0x41);
    const count = 2000;
    // Each member's stored data runs to the end of the payload: member i holds every later header too.
    const headerSizes = Array.from({ length: count }, (_, i) => 30 + `s${i}`.length);
    const starts: number[] = [];
    let at = 0;
    for (const size of headerSizes) {
      starts.push(at);
      at += size;
    }
    const total = at + payload.length;
    const body = new Uint8Array(total);
    const members: Member[] = [];
    for (let i = 0; i < count; i++) {
      const dataStart = starts[i] + headerSizes[i];
      const length = total - dataStart;
      body.set(localHeader(`s${i}`, 0, 0, length, length), starts[i]);
      members.push({
        name: `s${i}`,
        headerAt: starts[i],
        method: 0,
        crc: 0,
        compressed: length,
        size: length
      });
    }
    body.set(payload, at);
    const zip = finish(body, members);
    const { report, read } = await scanCounting(zip, { maxTotalDecompressedBytes: 8 * 1024 * 1024 });
    expect(report.findings.some((f) => f.ruleId === 'zip.overlapping-members')).toBe(true);
    expect(report.complete).toBe(false);
    expect(read).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
