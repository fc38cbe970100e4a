/**
 * The fail-closed property, tested generatively: every hostile pickle (payloads that call, import or mutate,
 * built opcode by opcode and written by CPython, torch and joblib) behind every prefix form (long first
 * operands around the probe and window sizes, each opcode first, framing, protocols 0–5, padding, stacked
 * pickles) inside every container and under every name is rated at least high; cut short anywhere, it is
 * never clean.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource, rangeSource } from '../../src/lib/core/bytes/byte-source';
import { severityRank, type FileReport } from '../../src/lib/core/findings';
import { OPCODES } from '../../src/lib/core/formats/pickle/opcodes';
import { scanSource } from '../../src/lib/core/scan';
import {
  CANNOT_START,
  concat,
  FIXTURES,
  firstOpcodes,
  loadable,
  PAYLOADS,
  prefixForms,
  stream,
  type Payload,
  type Prefix
} from './fail-closed/streams';
import { WRAPPERS, type Wrapped } from './fail-closed/wrappers';

const HIGH = severityRank('high');
const PREFIXES = prefixForms();

function scan(file: Wrapped): Promise<FileReport> {
  return scanSource(memorySource(file.bytes, file.name));
}

function summary(r: FileReport): string {
  return `${r.verdict}${r.complete ? '' : ' (incomplete)'}: ${r.findings
    .slice(0, 4)
    .map((f) => `${f.severity} ${f.ruleId}`)
    .join('; ')}`;
}

async function expectAtLeastHigh(file: Wrapped, what: string): Promise<void> {
  const r = await scan(file);
  expect(severityRank(r.verdict), `${what}: ${summary(r)}`).toBeGreaterThanOrEqual(HIGH);
}

/** Each prefix form gets a different payload in turn, so every payload meets many forms in every container. */
function rotating(i: number, prefix: Prefix): Payload {
  const candidates = PAYLOADS.filter((p) => loadable(prefix, p));
  return candidates[i % candidates.length];
}

/** Cut points inside the last pickle: around the prefix's end, the payload's start, and spread over it. */
function cuts(prefix: Prefix, total: number): number[] {
  const start = prefix.benignPickles ?? 0;
  const edge = prefix.bytes.length;
  const spread = Array.from({ length: 7 }, (_, i) => start + Math.floor(((i + 1) * (total - start)) / 8));
  const points = [start + 1, start + 2, edge - 1, edge, edge + 1, edge + 12, total - 2, total - 1, ...spread];
  return [...new Set(points)].filter((c) => c > start && c < total).sort((a, b) => a - b);
}

describe('fail-closed: the prefix forms', () => {
  it('cover every opcode: each starts a prefix or cannot start a loadable stream (with the reason)', () => {
    const { started } = firstOpcodes();
    const names = OPCODES.filter((o) => o !== undefined).map((o) => o.name);
    const unclaimed = names.filter((n) => !started.has(n) && !(n in CANNOT_START));
    expect(unclaimed).toEqual([]);
    expect(names.filter((n) => started.has(n) && n in CANNOT_START)).toEqual([]);
    expect(started.size).toBeGreaterThanOrEqual(30);
  });

  it('include long first operands of every length class around the 64 KiB probe and the 1 MiB window', () => {
    const binbytes = PREFIXES.filter((p) => p.name.startsWith('BINBYTES of '));
    const lengths = binbytes.map((p) => p.bytes.length - 6);
    for (const edge of [64 * 1024, 1 << 20]) {
      expect(lengths.some((n) => n + 5 < edge && n + 5 >= edge - 1)).toBe(true);
      expect(lengths.some((n) => n + 5 === edge)).toBe(true);
      expect(lengths.some((n) => n + 5 > edge)).toBe(true);
    }
  });
});

describe('fail-closed: every payload behind every prefix form, as a plain file', () => {
  for (const prefix of PREFIXES) {
    it(prefix.name, async () => {
      for (const payload of PAYLOADS.filter((p) => loadable(prefix, p))) {
        const bytes = stream(prefix.bytes, payload);
        for (const name of ['model.pkl', 'notes.txt']) {
          await expectAtLeastHigh({ name, bytes }, `${payload.name} as ${name}`);
        }
      }
    });
  }
});

/**
 * Containers hand their members to the same dispatch as files, so they get every prefix form up to 128 KiB
 * (past the 64 KiB probe); the window-sized ones (1 MiB and more) are exercised on plain files above.
 */
const CONTAINER_PREFIXES = PREFIXES.filter((p) => p.bytes.length <= 128 * 1024 + 16);

describe('fail-closed: every container and name, with every prefix form up to 128 KiB', () => {
  it('includes operands past the probe', () => {
    expect(CONTAINER_PREFIXES.some((p) => p.bytes.length > 64 * 1024 + 16)).toBe(true);
  });

  for (const wrapper of WRAPPERS) {
    it(wrapper.name, async () => {
      for (const [i, prefix] of CONTAINER_PREFIXES.entries()) {
        // torch.load reads five pickles: a payload stacked after benign ones is never unpickled.
        if (wrapper.readsOnePickle && prefix.benignPickles) continue;
        const payload = rotating(i, prefix);
        await expectAtLeastHigh(
          wrapper.wrap(stream(prefix.bytes, payload)),
          `${prefix.name} + ${payload.name}`
        );
      }
    });
  }
});

describe('fail-closed: cut short anywhere, never clean', () => {
  for (const [i, prefix] of PREFIXES.entries()) {
    it(prefix.name, async () => {
      const whole = stream(prefix.bytes, rotating(i, prefix));
      for (const cut of cuts(prefix, whole.length)) {
        const r = await scan({ name: 'model.pkl', bytes: whole.subarray(0, cut) });
        expect(r.verdict, `cut at ${cut} of ${whole.length}: ${summary(r)}`).not.toBe('clean');
        // After complete benign pickles, a next one cut inside its first opcode is reported as trailing data.
        const trailing = r.findings.some((f) => f.ruleId === 'pickle.trailing-data');
        expect(r.complete && !trailing, `cut at ${cut} of ${whole.length}: ${summary(r)}`).toBe(false);
      }
    });
  }

  it('in every container', async () => {
    const prefix = PREFIXES.find((p) => p.name === 'PROTO 4')!;
    for (const wrapper of WRAPPERS) {
      const file = wrapper.wrap(stream(prefix.bytes, PAYLOADS[0]));
      for (const cut of [0.2, 0.5, 0.8, 0.95].map((f) => Math.floor(file.bytes.length * f))) {
        const r = await scan({ name: file.name, bytes: file.bytes.subarray(0, cut) });
        expect(r.verdict, `${wrapper.name} cut at ${cut}: ${summary(r)}`).not.toBe('clean');
      }
    }
  });

  it('a cut ordinary pickle is medium "truncated — not fully analysed", not high', async () => {
    const benign = readFileSync(join(import.meta.dirname, '../fixtures/pickle/plain_p4.pkl'));
    const r = await scan({ name: 'model.pkl', bytes: new Uint8Array(benign.subarray(0, benign.length - 5)) });
    expect(r).toMatchObject({ verdict: 'medium', complete: false });
    expect(r.findings.map((f) => f.ruleId)).toContain('pickle.truncated');
    expect(r.findings.find((f) => f.ruleId === 'pickle.truncated')!.title).toContain('not fully analysed');
  });
});

describe('fail-closed: files written by torch and joblib (tests/fixtures/make_fail_closed_fixtures.py)', () => {
  const files = readdirSync(FIXTURES).filter((f) => !f.endsWith('.pkl'));

  it('has them', () => expect(files.length).toBeGreaterThanOrEqual(7));

  for (const file of files) {
    it(`${file} is at least high, and never clean when cut`, async () => {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, file)));
      await expectAtLeastHigh({ name: file, bytes }, file);
      for (let cut = 1; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 24))) {
        const r = await scan({ name: file, bytes: bytes.subarray(0, cut) });
        expect(r.verdict, `${file} cut at ${cut}: ${summary(r)}`).not.toBe('clean');
      }
    });
  }
});

describe('fail-closed: a stream that starts like bzip2 ("BZh91AY&SY" is also a BINBYTES opcode)', () => {
  it('is read as the pickle it also is, though its first operand is 825 MB long', async () => {
    const head = new TextEncoder().encode('BZh91AY&SY');
    const length = head[1] | (head[2] << 8) | (head[3] << 16) | (head[4] * 2 ** 24);
    const tail = concat(new TextEncoder().encode('0'), PAYLOADS[0].bytes, Uint8Array.of(0x2e));
    const size = 5 + length + tail.length;
    // Virtual bytes: the operand is never read, only skipped.
    const src = rangeSource('model.pkl', size, async (offset, len) => {
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        const at = offset + i;
        if (at < head.length) out[i] = head[at];
        else if (at >= size - tail.length) out[i] = tail[at - (size - tail.length)];
      }
      return out;
    });
    const r = await scanSource(src);
    expect(severityRank(r.verdict), summary(r)).toBeGreaterThanOrEqual(HIGH);
  });
});
