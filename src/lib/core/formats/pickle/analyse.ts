import type { ByteSource } from '../../bytes/byte-source';
import type { ScanLimits } from '../../limits';
import { PickleMachine } from './machine';
import { PickleStop } from './pickle-stop';
import type { Literal } from './values';

export interface PickleScanOptions {
  /** Offset in src where the stream begins (default 0). */
  start?: number;
  /** Stop after this many stacked pickles (default limits.maxStackedPickles). */
  maxPickles?: number;
  /** What to do with bytes after the last pickle (default 'report'). */
  trailing?: 'report' | 'ignore';
  /** Whose reading of joblib's array data to follow (default 'joblib'; see PickleMachine.stepsJoblibArrays). */
  arrays?: 'joblib' | 'pickle';
}

export interface PickleAnalysis {
  machine: PickleMachine;
  start: number;
  /** Why analysis stopped early (the loader fails there too), if it did. */
  stop: PickleStop | null;
  /** Offset of bytes after the last pickle that do not start another one. */
  trailingAt: number;
  firstValue: Literal | undefined;
}

/** Runs the symbolic machine over every stacked pickle of a stream. Never throws for bad input. */
export async function analysePickleStream(
  src: ByteSource,
  limits: ScanLimits,
  opts: PickleScanOptions,
  signal?: AbortSignal
): Promise<PickleAnalysis> {
  const start = opts.start ?? 0;
  const maxPickles = opts.maxPickles ?? limits.maxStackedPickles;
  const machine = new PickleMachine(src, start, limits, signal);
  machine.stepsJoblibArrays = opts.arrays !== 'pickle';
  const out: PickleAnalysis = { machine, start, stop: null, trailingAt: -1, firstValue: undefined };
  for (;;) {
    const before = machine.cur.pos;
    try {
      const value = await machine.runOne();
      if (machine.pickles === 1) out.firstValue = value;
    } catch (err) {
      if (!(err instanceof PickleStop)) throw err;
      // After a complete pickle, bytes whose very first opcode fails are not another pickle: trailing data.
      if (machine.pickles > 0 && err.offset === before && err.kind !== 'limit') out.trailingAt = before;
      else out.stop = err;
      break;
    }
    if (machine.cur.pos >= src.size) break;
    if (machine.pickles >= maxPickles) {
      if (opts.maxPickles !== undefined) out.trailingAt = machine.cur.pos;
      else {
        out.stop = new PickleStop('limit', `more than ${maxPickles} stacked pickles`, machine.cur.pos);
      }
      break;
    }
  }
  machine.flushWindows();
  return out;
}
