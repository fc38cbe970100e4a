import type { ByteSource } from '../../bytes/byte-source';
import type { ScanContext } from '../types';
import { analysePickleStream, type PickleScanOptions } from './analyse';
import { actsAsPickle, classifyStream, failsAtFirstByte, startsWithPersistentId } from './classify';
import { remembering, reportOtherLoadersReading } from './loaders-reading';
import { reportPickleAnalysis } from './report';
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
  const seen = new Set<string>();
  reportPickleAnalysis(a, remembering(ctx, seen), opts);
  await reportOtherLoadersReading(a, src, ctx, opts, seen);
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

/** How reading a whole file as a pickle stream turned out, for the dispatcher. */
export interface FileStreamOutcome {
  /** The file is (or starts as) a pickle: what a loader that unpickles it runs was reported. */
  isPickle: boolean;
  result: PickleScanResult;
}

const NOT_A_PICKLE: PickleScanResult = { end: 0, pickles: 0, ok: false, imports: [], persistentIds: 0 };

/**
 * Reads a whole file the way pickle.load would, whatever it starts with: the CPython unpickler accepts any
 * stream, so no magic number, name or other format excludes a file from this. `identified` says whether a
 * format already identified the file. If none did, this decides: a pickle (or the start of one) is reported
 * in full, anything else is left to the dispatcher's "not recognised" finding. If one did, the pickle reading
 * is reported only when loading the file with pickle would import something or hit an analysis bound (a
 * polyglot), so that the first bytes of a zip read as a persistent id stay silent.
 */
export async function analyseFileAsPickle(
  src: ByteSource,
  ctx: ScanContext,
  head: Uint8Array,
  identified: boolean,
  opts: PickleScanOptions = {}
): Promise<FileStreamOutcome> {
  if (failsAtFirstByte(head) || (identified && startsWithPersistentId(head))) {
    return { isPickle: false, result: NOT_A_PICKLE };
  }
  const a = await analysePickleStream(src, ctx.limits, opts, ctx.signal);
  const cls = classifyStream(a, head, ctx.expectsModel);
  const report = identified ? actsAsPickle(cls, a) : cls !== 'not-pickle';
  if (report) {
    const seen = new Set<string>();
    reportPickleAnalysis(a, remembering(ctx, seen), opts);
    await reportOtherLoadersReading(a, src, ctx, opts, seen);
  }
  return { isPickle: report, result: resultOf(a.machine, a.stop === null, a.firstValue, a.stop?.offset) };
}
