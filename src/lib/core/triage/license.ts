import { parse } from 'yaml';
import type { Manifest } from '../provenance/manifest';
import type { TriageLicense } from './types';

const MAX_CARD_BYTES = 256 * 1024;

/**
 * The licence a Hugging Face model card declares in its YAML front matter (`license: apache-2.0`),
 * or null when it declares none. "other" with a `license_name` gives that name.
 */
export function licenseFromModelCard(text: string): string | null {
  const head = text.slice(0, MAX_CARD_BYTES).replace(/^\uFEFF/, '');
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(head);
  if (!match) return null;
  let meta: unknown;
  try {
    meta = parse(match[1], { schema: 'failsafe', maxAliasCount: 10 });
  } catch {
    return null;
  }
  if (typeof meta !== 'object' || meta === null) return null;
  const record = meta as Record<string, unknown>;
  const license = Array.isArray(record.license) ? record.license[0] : record.license;
  if (typeof license !== 'string' || license.trim() === '') return null;
  const id = license.trim().toLowerCase().slice(0, 100);
  const named = record.license_name;
  return id === 'other' && typeof named === 'string' && named.trim() ? named.trim().slice(0, 100) : id;
}

/** The licence the Hub listed for the repo when the manifest was captured, as a fallback for the model card. */
export function licenseFromManifest(m: Manifest | null | undefined): TriageLicense | null {
  const fromHub = m?.repo?.licenses[0];
  return fromHub ? { id: fromHub.toLowerCase().slice(0, 100), source: 'manifest' } : null;
}
