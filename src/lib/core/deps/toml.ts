import { parse } from 'smol-toml';

export type Table = Record<string, unknown>;

export function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function tablesOf(v: unknown): Table[] {
  return Array.isArray(v) ? v.filter(isTable) : [];
}

export function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Parses TOML, returning the error message instead of throwing. */
export function parseToml(text: string): { doc: Table } | { error: string } {
  try {
    return { doc: parse(text) };
  } catch (err) {
    return { error: `not valid TOML: ${(err as Error).message.split('\n')[0].slice(0, 200)}` };
  }
}
