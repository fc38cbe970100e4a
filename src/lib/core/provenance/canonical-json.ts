import { CanonicalJsonError } from './errors';

const MAX_DEPTH = 64;

function serialise(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new CanonicalJsonError('CANONICAL_JSON_TOO_DEEP', 'value nests too deeply');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new CanonicalJsonError('CANONICAL_JSON_VALUE', 'NaN and Infinity have no JSON form');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((v) => serialise(v === undefined ? null : v, depth + 1)).join(',')}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null)
        throw new CanonicalJsonError('CANONICAL_JSON_VALUE', 'only plain objects are JSON');
      // Default sort compares UTF-16 code units, exactly the JCS order.
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const k of keys) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(k)}:${serialise(v, depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new CanonicalJsonError('CANONICAL_JSON_VALUE', `a ${typeof value} has no JSON form`);
  }
}

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): object keys sorted by UTF-16 code units, no whitespace,
 * strings and numbers serialised exactly as ECMAScript's JSON.stringify does (which is what JCS specifies).
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, 0);
}
