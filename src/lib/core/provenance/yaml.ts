/**
 * A minimal YAML 1.2 emitter for JSON data (the manifest). Every string is double-quoted with JSON escapes,
 * which YAML 1.2 reads identically, so no value can change type ("no", "1e3", "null") on the way back.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('NaN and Infinity are not JSON');
    return JSON.stringify(value);
  }
  // Lone surrogates would be escaped by JSON.stringify as \udXXX, which YAML rejects; replace them.
  return JSON.stringify(String(value).replace(LONE_SURROGATE, '\uFFFD'));
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(k)
    ? k
    : scalar(k);
}

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function isEmpty(v: object): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

function emit(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isContainer(item) && !isEmpty(item)) {
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        // The first line of a nested block goes on the dash line.
        out.push(`${indent}- ${lines[0].slice(indent.length + 2)}`, ...lines.slice(1));
      } else out.push(`${indent}- ${isContainer(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
    }
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (isContainer(v) && !isEmpty(v)) {
      out.push(`${indent}${key(k)}:`);
      emit(v, Array.isArray(v) ? indent : `${indent}  `, out);
    } else out.push(`${indent}${key(k)}: ${isContainer(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v)}`);
  }
}

export function toYaml(value: unknown, header?: string): string {
  const out: string[] = header ? header.split('\n').map((l) => `# ${l}`) : [];
  if (!isContainer(value) || isEmpty(value))
    out.push(isContainer(value) ? (Array.isArray(value) ? '[]' : '{}') : scalar(value));
  else emit(value, '', out);
  return `${out.join('\n')}\n`;
}
