import { Document } from 'yaml';

/**
 * YAML for JSON data (the manifest), written by the `yaml` package. Every string is double-quoted, and keys
 * are quoted where YAML 1.1 would read them as something else ("no", "on", "null"), so no value changes type
 * on the way back, whichever YAML version the reader speaks.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates cannot be written in YAML: replaced. NaN and Infinity are not JSON: refused. */
function jsonData(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('NaN and Infinity are not JSON');
  if (Array.isArray(value)) return value.map(jsonData);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [jsonData(k), jsonData(v)]));
  return value;
}

export function toYaml(value: unknown, header?: string): string {
  const doc = new Document(jsonData(value), { version: '1.1' });
  if (header) doc.commentBefore = header.replace(/^/gm, ' ');
  return doc.toString({
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
    indentSeq: false
  });
}
