import type { FormatScanner, Probe } from '../types';

const WRAPPER_MODULE = new TextEncoder().encode('joblib.numpy_pickle');

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** A joblib pickle: a raw pickle that imports joblib's array wrappers near the start. */
export function looksLikeJoblib(probe: Probe): boolean {
  return probe.head[0] === 0x80 && contains(probe.head, WRAPPER_MODULE);
}

/**
 * A joblib file is a pickle stream with raw array bytes between opcodes (see array-layout.ts), which the
 * pickle analysis steps over the way joblib's unpickler does. This labels the file and has it read as one.
 */
export const joblibFormat: FormatScanner = {
  id: 'joblib',
  label: 'joblib pickle',
  sniff: looksLikeJoblib,
  async scan(_src, ctx) {
    ctx.fact('joblib arrays', 'raw NumPy data between pickle opcodes');
    await ctx.analysePickle();
  }
};
