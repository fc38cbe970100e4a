import type { ByteSource } from '../../bytes/byte-source';
import type { FindingInput, ScanContext } from '../types';
import { analysePickleStream, type PickleAnalysis, type PickleScanOptions } from './analyse';
import { levelRank } from './policy';
import { reportPickleAnalysis } from './report';
import { effectiveLevel } from './values';

/**
 * Where this reading ends is those loaders failing on bytes joblib reads as array data: not a finding. (A frame
 * trick in the part both readings share is reported by joblib's reading.)
 */
const THEIR_FAILURE = new Set([
  'pickle.malformed',
  'pickle.truncated',
  'pickle.trailing-data',
  'pickle.frame-mismatch'
]);

const findingKey = (f: FindingInput) => `${f.ruleId}@${f.offset}:${f.title}\n${f.message}`;

/** `ctx` with every finding it reports remembered in `seen` (see `reportOtherLoadersReading`). */
export function remembering(ctx: ScanContext, seen: Set<string>): ScanContext {
  const report = (f: FindingInput) => {
    seen.add(findingKey(f));
    ctx.report(f);
  };
  return Object.assign(Object.create(ctx) as ScanContext, { report });
}

/**
 * joblib's loader steps over the array data after each NumpyArrayWrapper BUILD; `pickle.load` and `torch.load`
 * read the same bytes as opcodes, so a stream can look like plain arrays to joblib and run code under them.
 * When joblib's reading (`joblibReading`) met such arrays, the stream is read their way too, and what that
 * reading imports, calls or cannot analyse is reported, each finding once (`seen`: what joblib's reading
 * reported). Nothing is inspected twice.
 */
export async function reportOtherLoadersReading(
  joblibReading: PickleAnalysis,
  src: ByteSource,
  ctx: ScanContext,
  opts: PickleScanOptions,
  seen: ReadonlySet<string>
): Promise<void> {
  if (joblibReading.machine.joblibArrayBuilds === 0) return;
  const theirs = await analysePickleStream(src, ctx.limits, { ...opts, arrays: 'pickle' }, ctx.signal);
  const report = (f: FindingInput) => {
    if (THEIR_FAILURE.has(f.ruleId) || seen.has(findingKey(f))) return;
    ctx.report({
      ...f,
      message: `Read as pickle.load and torch.load read this stream (they do not skip joblib's array data, they run it as opcodes): ${f.message}`
    });
  };
  // An import joblib's reading already reported, at the same level or worse, is not reported again.
  for (const [key, rec] of theirs.machine.records) {
    const known = joblibReading.machine.records.get(key);
    if (known && levelRank(effectiveLevel(rec)) <= levelRank(effectiveLevel(known)))
      theirs.machine.records.delete(key);
  }
  const narrowed = Object.assign(Object.create(ctx) as ScanContext, { report, inspect: undefined });
  const stop = theirs.stop?.kind === 'limit' ? theirs.stop : null;
  reportPickleAnalysis({ ...theirs, stop, trailingAt: -1 }, narrowed, { ...opts, trailing: 'ignore' });
}
