/** A string found in a parsed config, with the dotted path of keys that leads to it. */
export interface ConfigString {
  path: string;
  key: string;
  value: string;
}

const MAX_DEPTH = 64;
const MAX_VALUES = 200_000;

/** Every string value of a parsed JSON/YAML document, bounded in depth and count. */
export function configStrings(root: unknown): { strings: ConfigString[]; truncated: boolean } {
  const strings: ConfigString[] = [];
  let visited = 0;
  let truncated = false;
  const visit = (value: unknown, path: string, key: string, depth: number): void => {
    if (++visited > MAX_VALUES || depth > MAX_DEPTH) {
      truncated = true;
      return;
    }
    if (typeof value === 'string') strings.push({ path, key, value });
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`, key, depth + 1));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k, k, depth + 1);
    }
  };
  visit(root, '', '', 0);
  return { strings, truncated };
}
