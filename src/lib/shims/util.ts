// Browser stand-in for Node's `util`: @sigstore/verify only calls isDeepStrictEqual (on timestamps and
// log-entry ids: Dates, Buffers, plain objects and arrays).
function isView(v: unknown): v is ArrayBufferView {
  return ArrayBuffer.isView(v);
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export function isDeepStrictEqual(a: unknown, b: unknown, seen = new Map<object, object>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime()) && sameProps(a, b, seen);
  if (a instanceof RegExp) return String(a) === String(b) && a.lastIndex === (b as RegExp).lastIndex;
  if (isView(a)) {
    const x = bytesOf(a);
    const y = bytesOf(b as ArrayBufferView);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (a instanceof Map || a instanceof Set) {
    throw new Error('util shim: Map/Set comparison is not implemented (not used by @sigstore/verify)');
  }
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return false;
  return sameProps(a, b, seen);
}

function sameProps(a: object, b: object, seen: Map<object, object>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], seen))
      return false;
  }
  return true;
}

export default { isDeepStrictEqual };
