/**
 * Differential test of the converter's pickle reading against the scanner's pickle machine: a generated
 * corpus (protocols 0–5, framing, memo, stacked pickles, long operands, every opcode first, cut streams,
 * malformed opcodes, EXT, joblib arrays, deep stacks, non-ASCII names) is read by the converter, as the
 * pickle of a torch zip (data.pkl) and as the payload pickle of a legacy checkpoint, and by a pickle machine
 * of its own. Whatever the converter reads, it must read as the scanner does: every STOP at the same offset,
 * the same imports at the same offsets, and nothing the scanner could not read completely.
 */
import { describe, expect, it } from 'vitest';
import { memorySource, type ByteSource } from '../bytes/byte-source';
import { DEFAULT_LIMITS, type ScanLimits } from '../limits';
import { PickleBuilder } from '../../../../tests/unit/pickle-builder';
import { joblibArray, legacyTorch } from '../../../../tests/unit/fail-closed/archives';
import { concat, loadable, PAYLOADS, prefixForms, stream } from '../../../../tests/unit/fail-closed/streams';
import { torchZip } from '../../../../tests/unit/torch-checkpoint';
import { PickleMachine, type ImportSite } from '../formats/pickle/machine';
import { PickleStop } from '../formats/pickle/pickle-stop';
import { ConvertError } from './errors';
import { extractTensors } from './extract';
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

/** Memo, MARK and protocol edge cases both readers must treat alike. */
const EDGES: Case[] = [
  { name: 'PUT of a negative key', bytes: enc.encode('Np-1\n.') },
  { name: 'GET of a key never stored', bytes: enc.encode('Np0\n0g1\n.') },
  {
    name: 'LONG_BINPUT and LONG_BINGET of key 2^32-1',
    bytes: b().raw(0x4e, 0x72, 255, 255, 255, 255, 0x30, 0x6a, 255, 255, 255, 255, '.').bytes()
  },
  {
    name: 'MEMOIZE after the memo was filled by BINPUT',
    bytes: b().proto(4).raw(0x4e, 0x71, 0, 0x4e, 0x94, 0x30, 0x30, 0x68, 1, '.').bytes()
  },
  { name: 'PROTO 6', bytes: b().proto(6).op('NONE').raw('.').bytes() },
  { name: 'STOP with only items below a MARK', bytes: enc.encode('N(.') },
  { name: 'POP of a MARK', bytes: enc.encode('N(0.') },
  {
    name: 'STACK_GLOBAL of a module name past the copy limit',
    bytes: concat(
      Uint8Array.of(0x80, 4, 0x58, ...b().u32(70_000)),
      new Uint8Array(70_000).fill(0x61),
      b().shortUnicode('system').op('STACK_GLOBAL').raw('.').bytes()
    )
  },
  { name: 'GLOBAL with a non-UTF-8 module name', bytes: b().raw('c', 'os', 0xff, '\nsystem\n.').bytes() },
  { name: 'INST with a non-ASCII name', bytes: b().raw('(', 'i', 'os\nsyst', 0xc3, 0xa9, 'm\n.').bytes() },
  {
    name: 'Python 2 names mapped by fix_imports',
    bytes: b().proto(2).global('__builtin__', 'set').op('EMPTY_TUPLE').op('REDUCE').raw('.').bytes()
  },
  {
    name: 'the same names after PROTO 3 (not mapped)',
    bytes: b().proto(3).global('__builtin__', 'set').raw('.').bytes()
  }
];

const CORPUS: Case[] = (() => {
  const whole = [...prefixed(), ...PROBES, ...EDGES];
  return [...whole, ...damaged(whole)];
})();

// --- the two readings -----------------------------------------------------------------------------------

interface Wrapper {
  name: string;
  wrap(stream: Uint8Array): Uint8Array;
  /** How many stacked pickles the converter reads. */
  pickles: number;
  legacy: boolean;
}

const WRAPPERS: Wrapper[] = [
  { name: 'torch zip', wrap: (s) => torchZip(s, {}), pickles: 1, legacy: false },
  { name: 'legacy checkpoint', wrap: legacyTorch, pickles: 5, legacy: true }
];

interface Reading {
  ends: number[];
  imports: string[];
}

/** The converter's reading (what it builds values from): where its pickles end and what they import. */
async function converterReading(
  src: ByteSource,
  wrapper: Wrapper,
  limits: ScanLimits
): Promise<Reading | ConvertError> {
  const table = new StorageTable(wrapper.legacy);
  const u = new ValueUnpickler(src, 0, limits, {
    persistentLoad: (pid) => table.load(pid),
    call: interpretTorchCall
  });
  try {
    for (let i = 0; i < wrapper.pickles; i++) await u.load();
    return { ends: u.ends, imports: u.importSites.map(site) };
  } catch (err) {
    if (err instanceof ConvertError) return err;
    throw err;
  }
}

/** The scanner's reading: a pickle machine of its own over the same bytes. */
async function scannerReading(
  src: ByteSource,
  count: number,
  limits: ScanLimits
): Promise<Reading & { stop: PickleStop | null }> {
  const machine = new PickleMachine(src, 0, limits);
  const ends: number[] = [];
  let stop: PickleStop | null = null;
  while (ends.length < count && stop === null) {
    try {
      await machine.runOne();
      ends.push(machine.end);
    } catch (err) {
      if (!(err instanceof PickleStop)) throw err;
      stop = err;
    }
  }
  const dynamic = [...machine.records.values()].filter((r) => r.kind === 'dynamic');
  return { ends, imports: [...machine.importSites.map(site), ...dynamic.map(() => 'dynamic')], stop };
}

const site = (s: ImportSite) => `${s.offset} ${s.module}.${s.name}`;

async function extracted(src: ByteSource, limits: ScanLimits): Promise<string | undefined> {
  try {
    await extractTensors(src, { limits });
    return undefined;
  } catch (err) {
    if (err instanceof ConvertError) return err.message;
    throw err;
  }
}

/** The pickle a wrapper holds: data.pkl for a torch zip, the file itself for a legacy one. */
async function pickleSource(wrapper: Wrapper, file: Uint8Array): Promise<ByteSource> {
  if (wrapper.legacy) return memorySource(file, 'model.pt');
  const zip = await ZipMembers.open(memorySource(file, 'model.pt'), 100);
  return zip.small('archive/data.pkl');
}

describe('the converter reads every pickle the way the scanner does, or refuses it', () => {
  for (const wrapper of WRAPPERS) {
    it(`over the generated corpus, as a ${wrapper.name}`, async () => {
      let read = 0;
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
        read++;
        const scanner = await scannerReading(pickle, wrapper.pickles, limits);
        expect({ case: c.name, ...converter, stop: null }).toEqual({
          case: c.name,
          ends: scanner.ends,
          imports: scanner.imports,
          stop: scanner.stop
        });
      }
      expect(CORPUS.length).toBeGreaterThan(500);
      expect(read).toBeGreaterThan(100);
    }, 300_000);
  }

  it('refuses each stream the two used to read differently', async () => {
    const refusals = [
      /the scanner reads the bytes after this BUILD as joblib array data/,
      /the scanner reads the bytes after this BUILD as joblib array data/,
      /stack deeper than 64 items/,
      /the scanner reads this import as "osÃ©.system", torch.load as "osé.system"/,
      /the scanner reads this import as "os.sys\ufffd+tem", torch.load as "os.sys\\ud800tem"/,
      /EXT1 imports through the copyreg extension registry/,
      /EXT1 imports through the copyreg extension registry/,
      /unpicklers read this pickle's frames differently/,
      /unpicklers read this pickle's frames differently/
    ];
    for (const [i, probe] of PROBES.entries()) {
      const limits = { ...DEFAULT_LIMITS, ...probe.limits };
      const outcome = await extracted(memorySource(torchZip(probe.bytes, {}), 'model.pt'), limits);
      expect(outcome, probe.name).toMatch(refusals[i]);
    }
  });
});
