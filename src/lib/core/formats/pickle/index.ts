import type { ByteSource } from '../../bytes/byte-source';
import type { FormatScanner, ScanContext } from '../types';
import { analysePickleStream, type PickleScanOptions } from './analyse';
import { reportPickleAnalysis } from './report';
import { hasPickleNameHint, looksLikePickle } from './sniff';
import type { Literal } from './values';

export { looksLikePickle } from './sniff';
export type { PickleScanOptions } from './analyse';

export interface PickleScanResult {
  /** Offset just after the last STOP analysed (or where analysis stopped). */
  end: number;
  /** How many complete pickles were seen. */
  pickles: number;
  /** False if malformed/truncated/limit reached. */
  ok: boolean;
  imports: { module: string; name: string; offset: number; opcode: string }[];
  /** Count of PERSID/BINPERSID (PyTorch storages). */
  persistentIds: number;
  /**
   * The first pickle's value when it is a plain literal: ints are numbers when safe, else bigints (the legacy
   * PyTorch magic 0x1950a86a20f9469cfc6c); strings; tuples of literals as arrays.
   */
  firstValue?: unknown;
}

/** Analyses every stacked pickle of a stream, reports findings into ctx and returns what it saw. */
export async function scanPickleStream(
  src: ByteSource,
  ctx: ScanContext,
  opts: PickleScanOptions = {}
): Promise<PickleScanResult> {
  const a = await analysePickleStream(src, ctx.limits, opts, ctx.signal);
  reportPickleAnalysis(a, ctx, opts);
  return resultOf(a.machine, a.stop === null, a.firstValue, a.stop?.offset);
}

function resultOf(
  m: Awaited<ReturnType<typeof analysePickleStream>>['machine'],
  ok: boolean,
  firstValue: Literal | undefined,
  stoppedAt: number | undefined
): PickleScanResult {
  return {
    end: ok || stoppedAt === undefined ? m.end : stoppedAt,
    pickles: m.pickles,
    ok,
    imports: m.importSites,
    persistentIds: m.persistentIds,
    firstValue
  };
}

/** PROTO 2 + LONG1 of torch's legacy magic number: raw storage bytes follow the fifth pickle. */
const LEGACY_TORCH_HEAD = [
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19
];

function streamOptions(head: Uint8Array): PickleScanOptions {
  const legacy = head.length >= LEGACY_TORCH_HEAD.length && LEGACY_TORCH_HEAD.every((b, i) => head[i] === b);
  return legacy ? { maxPickles: 5, trailing: 'ignore' } : {};
}

export const pickleFormat: FormatScanner = {
  id: 'pickle',
  label: 'Python pickle',
  sniff(probe) {
    const verdict = looksLikePickle(probe.head, probe.head.length >= probe.size);
    return verdict === 'yes' || (verdict === 'maybe' && hasPickleNameHint(probe.name));
  },
  async scan(src, ctx, probe) {
    const sure = looksLikePickle(probe.head, probe.head.length >= probe.size) === 'yes';
    const opts = streamOptions(probe.head);
    const a = await analysePickleStream(src, ctx.limits, opts, ctx.signal);
    if (!sure && a.machine.pickles === 0 && a.stop && a.machine.opcodes <= 1 && a.stop.kind !== 'limit') {
      ctx.report({
        ruleId: 'pickle.not-a-pickle',
        severity: 'info',
        title: 'Not a pickle',
        message: `The name suggests a pickle, but the first byte is not something pickle.load accepts (${a.stop.message}), so a pickle loader would fail immediately without running anything.`,
        offset: 0
      });
      return;
    }
    reportPickleAnalysis(a, ctx, opts);
  }
};
