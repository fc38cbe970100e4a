import type { PickleAnalysis } from './analyse';
import { OPCODES } from './opcodes';
import { effectiveLevel, type ImportRecord } from './values';

/**
 * What a whole file turned out to be when read the way pickle.load reads it:
 * - `pickle`: at least one complete pickle;
 * - `acting`: no complete pickle, but loading it would still do something dangerous before failing (a
 *   dangerous or computed import, a patched module, a hidden pickle) or the analysis hit a bound (so it might);
 * - `broken`: the start of a pickle that ends early (a cut download) or breaks later on;
 * - `not-pickle`: pickle.load fails at once, or within a few opcodes on bytes that plainly are no pickle.
 */
export type StreamClass = 'pickle' | 'acting' | 'broken' | 'not-pickle';

/** Valid opcodes before a stream breaks beyond which it counts as a broken pickle even without other signs. */
const PICKLE_LIKE_OPCODES = 16;

const DOTTED_NAME = /^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*$/u;

/** Could find_class resolve this import at all? Names with spaces or newlines fail before any code runs. */
export function importable(rec: ImportRecord): boolean {
  if (rec.kind !== 'static') return true;
  return DOTTED_NAME.test(rec.module) && DOTTED_NAME.test(rec.name);
}

function dangerous(rec: ImportRecord): boolean {
  const level = effectiveLevel(rec);
  return rec.kind !== 'static' || level === 'critical' || level === 'high';
}

/** pickle.load fails on the very first byte (an empty file, or a byte that is no opcode) without running anything. */
export function failsAtFirstByte(head: Uint8Array): boolean {
  return head.length === 0 || OPCODES[head[0]] === undefined;
}

/**
 * A leading persistent id (PERSID, BINPERSID): pickle.load and joblib have no persistent_load and fail there
 * before anything runs, and torch.load reads such files (zips start with "PK") as archives. Reading the rest
 * of an identified file for the line PERSID takes would cost a pass over it for nothing.
 */
export function startsWithPersistentId(head: Uint8Array): boolean {
  return head[0] === 0x50 || head[0] === 0x51;
}

export function startsWithProto(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1] <= 5;
}

export function classifyStream(a: PickleAnalysis, head: Uint8Array, expectsModel: boolean): StreamClass {
  const m = a.machine;
  if (m.pickles > 0) return 'pickle';
  const records = [...m.records.values()];
  if (a.stop?.kind === 'limit' || m.mutated.length > 0 || m.payloads.length > 0 || records.some(dangerous)) {
    return 'acting';
  }
  const cutShort = a.stop?.kind === 'truncated' && (expectsModel || records.some(importable));
  const pickleLike = startsWithProto(head) || m.opcodes > PICKLE_LIKE_OPCODES || cutShort;
  return pickleLike ? 'broken' : 'not-pickle';
}

/**
 * Whether a file that another format identified should also be reported as a pickle: only when loading it
 * with pickle would import something or hit an analysis bound. A harmless coincidence (the first bytes of a
 * zip read as a persistent id, say) stays silent.
 */
export function actsAsPickle(cls: StreamClass, a: PickleAnalysis): boolean {
  if (cls === 'acting') return true;
  if (cls === 'not-pickle') return false;
  return [...a.machine.records.values()].some(importable);
}
