import type { ByteSource } from '../../bytes/byte-source';
import { throwIfAborted } from '../../cancel';
import { shorten } from '../../findings';
import type { FormatScanner, ScanContext } from '../types';
import { unsafeMemberPath } from '../zip/member-names';
import { BLOCK, isZeroBlock, looksLikeTar, parsePaxRecords, parseTarHeader, type TarHeader } from './header';

const MAX_LONG_NAME = 64 * 1024;
const LEGACY_TORCH_MEMBERS = ['sys_info', 'pickle', 'tensors', 'storages'];

export const tarFormat: FormatScanner = {
  id: 'tar',
  label: 'Tar archive',
  sniff: (probe) => looksLikeTar(probe.head),
  scan: scanTar
};

interface Pending {
  name?: string;
  linkName?: string;
  size?: number;
}

async function scanTar(src: ByteSource, ctx: ScanContext): Promise<void> {
  const names: string[] = [];
  let pending: Pending = {};
  let offset = 0;
  let count = 0;
  while (offset + BLOCK <= src.size) {
    throwIfAborted(ctx.signal);
    const block = await src.read(offset, BLOCK);
    if (isZeroBlock(block)) break;
    const header = parseTarHeader(block);
    if (!header.checksumOk || !Number.isFinite(header.size)) {
      ctx.incomplete(
        "A tar header is damaged (bad checksum or size); Python's tarfile stops here and so did the analysis.",
        offset
      );
      return;
    }
    if (++count > ctx.limits.maxArchiveEntries) {
      ctx.incomplete(
        `The archive has more than ${ctx.limits.maxArchiveEntries} members; the rest were not analysed.`,
        offset
      );
      return;
    }
    const dataOffset = offset + BLOCK;
    if (dataOffset + header.size > src.size) {
      ctx.incomplete(
        `Tar member ${JSON.stringify(shorten(header.name, 200))} runs past the end of the file.`,
        offset
      );
      return;
    }
    const data = src.sub(dataOffset, header.size);
    offset = dataOffset + Math.ceil(header.size / BLOCK) * BLOCK;
    if (header.type === 'x' || header.type === 'L' || header.type === 'K') {
      if (header.size > MAX_LONG_NAME) {
        ctx.incomplete('An extended tar header is too large to read.', dataOffset);
        return;
      }
      pending = mergeExtended(pending, header, await data.read(0, header.size));
      continue;
    }
    if (header.type === 'g') continue;
    const entry = {
      ...header,
      name: pending.name ?? header.name,
      linkName: pending.linkName ?? header.linkName
    };
    if (pending.size !== undefined && pending.size !== header.size) {
      ctx.incomplete('A pax header overrides a member size; that member was not analysed.', dataOffset);
      return;
    }
    pending = {};
    names.push(entry.name);
    checkMember(entry, ctx, offset);
    if (hasFileData(entry)) await ctx.scanNested(data, entry.name);
  }
  if (LEGACY_TORCH_MEMBERS.every((n) => names.includes(n))) ctx.addFormat?.('pytorch-legacy-tar');
  ctx.fact('tar members', names.length);
}

/** Links, folders and device nodes carry no data; Python's tarfile extracts every other type as a regular file. */
const NO_DATA_TYPES = new Set(['1', '2', '3', '4', '5', '6']);

function hasFileData(entry: TarHeader): boolean {
  return entry.type === '0' || entry.type === '7' || (!NO_DATA_TYPES.has(entry.type) && entry.size > 0);
}

function mergeExtended(pending: Pending, header: TarHeader, bytes: Uint8Array): Pending {
  const text = (b: Uint8Array) => {
    const nul = b.indexOf(0);
    return new TextDecoder('utf-8').decode(nul < 0 ? b : b.subarray(0, nul));
  };
  if (header.type === 'L') return { ...pending, name: text(bytes) };
  if (header.type === 'K') return { ...pending, linkName: text(bytes) };
  const records = parsePaxRecords(bytes);
  const size = records.get('size');
  return {
    name: records.get('path') ?? pending.name,
    linkName: records.get('linkpath') ?? pending.linkName,
    size: size === undefined ? pending.size : Number(size)
  };
}

function checkMember(entry: TarHeader, ctx: ScanContext, offset: number): void {
  const name = shorten(entry.name, 200);
  const unsafe = unsafeMemberPath(entry.name);
  if (unsafe) {
    ctx.report({
      ruleId: 'archive.path-traversal',
      severity: 'high',
      title: 'Member path escapes the extraction folder',
      message: `Member ${JSON.stringify(name)} has ${unsafe}. Extracting this archive (tarfile.extractall without a filter) can overwrite files outside the target folder.`,
      offset,
      evidence: { details: { member: name } }
    });
  }
  if (entry.type === '1' || entry.type === '2') {
    const kind = entry.type === '2' ? 'symbolic link' : 'hard link';
    ctx.report({
      ruleId: entry.type === '2' ? 'archive.symlink' : 'archive.hardlink',
      severity: 'high',
      title: `Archive contains a ${kind}`,
      message: `Member ${JSON.stringify(name)} is a ${kind} to ${JSON.stringify(shorten(entry.linkName, 200))}. Extracting it can expose or overwrite files outside the target folder.`,
      offset,
      evidence: { details: { member: name, target: shorten(entry.linkName, 200) } }
    });
  }
  if (entry.type === '3' || entry.type === '4' || entry.type === '6') {
    ctx.report({
      ruleId: 'archive.special-file',
      severity: 'medium',
      title: 'Archive contains a device or FIFO',
      message: `Member ${JSON.stringify(name)} is a device node or FIFO, which no model needs; extracting it as root creates it.`,
      offset,
      evidence: { details: { member: name, type: entry.type } }
    });
  }
}
