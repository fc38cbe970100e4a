import type { MemberRole } from '../types';

/** What a zip's member names say about PyTorch: torch.save writes everything under one root folder. */
export interface TorchZipLayout {
  root: string;
  /** TorchScript archives (torch.jit.save) carry Python-like source under code/. */
  torchScriptCode: string[];
}

const DATA_PKL = /^(?:([^/]+)\/)?data\.pkl$/;

export function torchZipLayout(names: readonly string[]): TorchZipLayout | undefined {
  let root: string | undefined;
  for (const name of names) {
    const m = DATA_PKL.exec(name);
    if (m) {
      root = m[1] ?? '';
      break;
    }
  }
  if (root === undefined) return undefined;
  const prefix = root ? `${root}/` : '';
  const marker = names.some(
    (n) =>
      n === `${prefix}version` ||
      n === `${prefix}.data/version` ||
      n === `${prefix}byteorder` ||
      n.startsWith(`${prefix}data/`) ||
      n === `${prefix}constants.pkl`
  );
  if (!marker) return undefined;
  const torchScriptCode = names.filter((n) => n.startsWith(`${prefix}code/`) && !n.endsWith('/'));
  return { root, torchScriptCode };
}

/** Records torch.load reads as plain text or numbers, never as a pickle. */
const RAW_RECORDS = new Set([
  'version',
  '.data/version',
  'byteorder',
  '.data/serialization_id',
  '.format_version',
  '.storage_alignment'
]);

/**
 * What torch.load does with a member: storages under data/ and the small records are read raw (never
 * unpickled), the .pkl members are unpickled. Anything else is judged by its own content and name.
 */
export function torchMemberRole(layout: TorchZipLayout, name: string): MemberRole {
  const prefix = layout.root ? `${layout.root}/` : '';
  if (!name.startsWith(prefix)) return 'content';
  const rel = name.slice(prefix.length);
  if (RAW_RECORDS.has(rel) || /^data\/[^/]+$/.test(rel)) return 'raw';
  return rel.endsWith('.pkl') ? 'model' : 'content';
}
