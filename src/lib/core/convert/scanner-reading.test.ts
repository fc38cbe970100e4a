/**
 * Differential test of the converter's pickle interpreter against the scanner's pickle machine: a generated
 * corpus (protocols 0–5, framing, memo, stacked pickles, long operands, every opcode first, cut streams,
 * malformed opcodes, EXT, joblib arrays, deep stacks, non-ASCII names) is read by both, as the pickle of a
 * torch zip (data.pkl) and as the payload pickle of a legacy checkpoint. Wherever the two readings differ on
 * where a pickle ends, what it imports, or whether the scanner could read it at all, the conversion must be
 * refused; wherever they agree, it must not be refused for disagreeing.
 */
import { describe, expect, it } from 'vitest';
import { memorySource, type ByteSource } from '../bytes/byte-source';
import { DEFAULT_LIMITS, type ScanLimits } from '../limits';
import { PickleBuilder } from '../../../../tests/unit/pickle-builder';
import { joblibArray, legacyTorch } from '../../../../tests/unit/fail-closed/archives';
import { concat, loadable, PAYLOADS, prefixForms, stream } from '../../../../tests/unit/fail-closed/streams';
import { torchZip } from '../../../../tests/unit/torch-checkpoint';
import { ConvertError } from './errors';
import { extractTensors } from './extract';
import { readAsScanner, type PickleReading, type ScannerReading } from './scanner-reading';
import { interpretTorchCall, StorageTable } from './torch-calls';
import { ValueUnpickler } from './unpickler';
import { ZipMembers } from './zip-members';

const enc = new TextEncoder();
const b = () => new PickleBuilder();

interface Case {
  name: string;
  /** One pickle stream (the payload a container wraps). */
  bytes: Uint8Array;
  limits?: Partial<ScanLimits>;
}

// --- the corpus -----------------------------------------------------------------------------------------

/** Every prefix form up to 128 KiB with a payload in turn (as fail-closed.test.ts pairs them). */
function prefixed(): Case[] {
  const prefixes = prefixForms().filter((p) => p.bytes.length <= 128 * 1024 + 16);
  return prefixes.map((prefix, i) => {
    const candidates = PAYLOADS.filter((p) => loadable(prefix, p));
    const payload = candidates[i % candidates.length];
    return { name: `${prefix.name} + ${payload.name}`, bytes: stream(prefix.bytes, payload) };
  });
}

/** Each stream cut short, and with an invalid or misplaced opcode written into it. */
function damaged(cases: Case[]): Case[] {
  const out: Case[] = [];
  for (const [i, c] of cases.entries()) {
    const n = c.bytes.length;
    for (const cut of [1, Math.floor(n / 2), n - 1]) {
      if (cut > 0 && cut < n) out.push({ name: `${c.name}, cut at ${cut}`, bytes: c.bytes.slice(0, cut) });
    }
    const at = (i * 7919) % n;
    for (const bad of [0xff, 0x00, 0x2e, 0x28]) {
      const bytes = c.bytes.slice();
      bytes[at] = bad;
      out.push({ name: `${c.name}, 0x${bad.toString(16)} at ${at}`, bytes });
    }
  }
  return out;
}

const PAYLOAD = enc.encode("cos\nsystem\n(S'echo pwned'\ntR.");

/** Streams written to probe each place the two interpreters could part. */
const PROBES: Case[] = [
  {
    name: 'joblib array wrapper followed by opcodes as its "raw" bytes',
    bytes: joblibArray({ dtype: 'u1', data: PAYLOAD, length: PAYLOAD.length })
  },
  {
    name: 'joblib array wrapper whose dtype state makes its bytes a nested pickle',
    bytes: joblibArray({ dtype: 'u1', data: PAYLOAD, length: PAYLOAD.length, flags: 1 })
  },
  {
    name: 'items below MARKs past the stack bound',
    bytes: concat(
      new Uint8Array(40).fill(0x4e),
      Uint8Array.of(0x28),
      new Uint8Array(40).fill(0x4e),
      Uint8Array.of(0x31),
      enc.encode('0'.repeat(39)),
      enc.encode('.')
    ),
    limits: { maxPickleStack: 64 }
  },
  {
    name: 'STACK_GLOBAL of non-ASCII SHORT_BINSTRING names',
    bytes: b()
      .proto(2)
      .raw(0x55, 4, 'os', 0xc3, 0xa9)
      .raw(0x55, 6, 'system')
      .op('STACK_GLOBAL')
      .raw('.')
      .bytes()
  },
  {
    name: 'STACK_GLOBAL of a BINUNICODE name with a lone surrogate',
    bytes: b()
      .proto(4)
      .shortUnicode('os')
      .raw(0x8c, 9, 'sys', 0xed, 0xa0, 0x80, 'tem')
      .op('STACK_GLOBAL')
      .raw('.')
      .bytes()
  },
  {
    name: 'EXT1 of a code the stream registers with copyreg.add_extension',
    bytes: b()
      .proto(2)
      .global('copyreg', 'add_extension')
      .raw("(S'os'\nS'system'\nK\x07t")
      .op('REDUCE')
      .op('POP')
      .raw(0x82, 7)
      .raw("(S'id'\ntR.")
      .bytes()
  },
  { name: 'EXT1 of an unregistered code', bytes: b().proto(2).raw(0x82, 7).raw('.').bytes() },
  {
    name: 'a FRAME longer than the pickle it holds',
    bytes: b().proto(4).frame(100).op('NONE').raw('.').bytes()
  },
  {
    name: 'an operand straddling a frame end',
    bytes: b().proto(4).frame(2).shortUnicode('abcd').raw('.').bytes()
  }
];

const CORPUS: Case[] = (() => {
  const whole = [...prefixed(), ...PROBES];
  return [...whole, ...damaged(whole)];
})();

// --- the two readings -----------------------------------------------------------------------------------

interface Wrapper {
  name: string;
  wrap(stream: Uint8Array): Uint8Array;
  /** Where the stacked pickles the converter reads start, and how many there are. */
  pickles: number;
  legacy: boolean;
}

const WRAPPERS: Wrapper[] = [
  { name: 'torch zip', wrap: (s) => torchZip(s, {}), pickles: 1, legacy: false },
  { name: 'legacy checkpoint', wrap: legacyTorch, pickles: 5, legacy: true }
];

/** The converter's interpreter on its own: the pickles it reads, or the error it stops with. */
async function converterReading(
  src: ByteSource,
  wrapper: Wrapper,
  limits: ScanLimits
): Promise<PickleReading | ConvertError> {
  const table = new StorageTable(wrapper.legacy);
  const u = new ValueUnpickler(src, 0, limits, {
    persistentLoad: (pid) => table.load(pid),
    call: interpretTorchCall
  });
  try {
    for (let i = 0; i < wrapper.pickles; i++) await u.load();
    return u;
  } catch (err) {
    if (err instanceof ConvertError) return err;
    throw err;
  }
}

const site = (s: PickleReading['importSites'][number]) => `${s.offset} ${s.module}.${s.name}`;

/** Agreement on the three points: every STOP at the same offset, the same imports, a complete scan. */
function agree(scanner: ScannerReading, converter: PickleReading): boolean {
  return (
    scanner.stop === null &&
    JSON.stringify(scanner.ends) === JSON.stringify(converter.ends) &&
    JSON.stringify(scanner.importSites.map(site)) === JSON.stringify(converter.importSites.map(site))
  );
}

async function extracted(src: ByteSource, limits: ScanLimits): Promise<string | undefined> {
  try {
    await extractTensors(src, { limits });
    return undefined;
  } catch (err) {
    if (err instanceof ConvertError) return err.message;
    throw err;
  }
}

/** The pickle a wrapper holds: the whole zip member for a torch zip, the file itself for a legacy one. */
async function pickleSource(wrapper: Wrapper, file: Uint8Array): Promise<ByteSource> {
  if (wrapper.legacy) return memorySource(file, 'model.pt');
  const zip = await ZipMembers.open(memorySource(file, 'model.pt'), 100);
  return zip.small('archive/data.pkl');
}

describe('the converter reads every pickle the way the scanner does, or refuses it', () => {
  for (const wrapper of WRAPPERS) {
    it(`over the generated corpus, as a ${wrapper.name}`, async () => {
      const disagreeing: string[] = [];
      for (const c of CORPUS) {
        const limits = { ...DEFAULT_LIMITS, ...c.limits };
        const file = wrapper.wrap(c.bytes);
        const pickle = await pickleSource(wrapper, file);
        const converter = await converterReading(pickle, wrapper, limits);
        const outcome = await extracted(memorySource(file, 'model.pt'), limits);
        if (converter instanceof ConvertError) {
          expect(outcome, c.name).toBeDefined();
          continue;
        }
        const scanner = await readAsScanner(pickle, 0, converter.ends.length, { limits });
        if (agree(scanner, converter)) {
          if (scanner.frameIssues.length === 0 && scanner.joblibArrays === 0) {
            expect(outcome ?? '', c.name).not.toMatch(/read this pickle differently/);
          }
          continue;
        }
        disagreeing.push(c.name);
        expect(outcome, `${c.name}: converted although the scanner reads it differently`).toMatch(
          /the scanner and the converter read this pickle differently/
        );
      }
      expect(CORPUS.length).toBeGreaterThan(500);
      expect(disagreeing).toEqual(
        expect.arrayContaining([PROBES[0].name, PROBES[1].name, PROBES[3].name, PROBES[4].name])
      );
    }, 300_000);
  }
});

describe('what the converter refuses that torch.load would not read as it does', () => {
  it('refuses EXT opcodes: the extension registry is the loading program’s, not the file’s', async () => {
    const file = torchZip(PROBES[6].bytes, {});
    expect(await extracted(memorySource(file, 'model.pt'), DEFAULT_LIMITS)).toMatch(
      /EXT1 imports through the copyreg extension registry/
    );
  });

  it('refuses a pickle whose frames CPython’s two unpicklers read differently', async () => {
    for (const probe of [PROBES[7], PROBES[8]]) {
      const file = torchZip(probe.bytes, {});
      expect(await extracted(memorySource(file, 'model.pt'), DEFAULT_LIMITS), probe.name).toMatch(
        /unpicklers read its frames differently/
      );
    }
  });

  it('reads STOP offsets and import sites as the scanner machine records them', async () => {
    const bytes = concat(
      b().proto(2).global('collections', 'OrderedDict').raw('.').bytes(),
      enc.encode('N.')
    );
    const reading = await readAsScanner(memorySource(bytes, 's.pkl'), 0, 2, { limits: DEFAULT_LIMITS });
    expect(reading.ends).toEqual([28, 30]);
    expect(reading.importSites).toEqual([
      { module: 'collections', name: 'OrderedDict', offset: 2, opcode: 'GLOBAL' }
    ]);
    expect(reading.stop).toBeNull();
  });
});
