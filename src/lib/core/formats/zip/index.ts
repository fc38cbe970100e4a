import type { ByteSource } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { throwIfAborted } from '../../cancel';
import { isNpzLayout } from '../numpy/npz-layout';
import { looksLikePickle } from '../pickle';
import { torchMemberRole, torchZipLayout, type TorchZipLayout } from '../pytorch/zip-layout';
import { REJECTED, type FormatScanner, type Probe, type ScanClaim, type ScanContext } from '../types';
import { crc32 } from './crc32';
import { EOCD_SIZE, findEndRecord, readZipDirectory, type ZipEntry } from './directory';
import { METHOD_STORED, openMember } from './member';
import { checkDirectory, checkEntry, UNREADABLE_FLAGS } from './structure-checks';

/** Stored members up to CRC_ALWAYS_MAX get their CRC checked; up to CRC_CHECK_MAX when they parse as something. */
const CRC_ALWAYS_MAX = 1024 * 1024;
const CRC_CHECK_MAX = 64 * 1024 * 1024;

export function startsWithLocalHeader(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
}

function hasPlausibleEndRecord(probe: Probe): boolean {
  const at = findEndRecord(probe.tail);
  if (at < 0) return false;
  const t = probe.tail;
  const u32 = (i: number) => (t[i] | (t[i + 1] << 8) | (t[i + 2] << 16)) + t[i + 3] * 0x1000000;
  const recordOffset = probe.size - probe.tail.length + at;
  const zip64 = u32(at + 16) === 0xffffffff || u32(at + 12) === 0xffffffff;
  return zip64 || u32(at + 16) + u32(at + 12) <= recordOffset;
}

export const zipFormat: FormatScanner = {
  id: 'zip',
  label: 'Zip archive',
  sniff: (probe) => startsWithLocalHeader(probe.head) || hasPlausibleEndRecord(probe),
  scan: scanZip
};

async function scanZip(src: ByteSource, ctx: ScanContext, probe: Probe): Promise<ScanClaim> {
  const dir = await readZipDirectory(src, ctx.limits.maxArchiveEntries);
  if (!dir) {
    // zipfile (and torch.load) refuse it too; kept as the finding only if the bytes are nothing else either.
    ctx.incomplete(
      startsWithLocalHeader(probe.head)
        ? 'This zip has no end-of-central-directory record (truncated or damaged), so its members were not analysed.'
        : 'No readable zip directory was found.',
      0
    );
    return REJECTED;
  }
  // Found from its end inside a member another container already handed out (a tar's last member): that
  // member is this zip, scanned once, by the container that identified the bytes around it.
  if (dir.prependedBytes > 0 && ctx.heldByMember?.(dir.prependedBytes, dir.endOffset + EOCD_SIZE)) {
    return REJECTED;
  }
  checkDirectory(dir, ctx);
  const names = dir.entries.map((e) => e.name);
  const torch = torchZipLayout(names);
  if (torch) {
    ctx.addFormat?.('pytorch-zip');
    if (torch.torchScriptCode.length > 0) reportTorchScript(ctx, torch.torchScriptCode);
  } else if (isNpzLayout(names)) {
    ctx.addFormat?.('npz');
  }
  ctx.fact('zip members', dir.entries.length);
  for (const entry of dir.entries) {
    throwIfAborted(ctx.signal);
    checkEntry(entry, ctx);
    if (entry.name.endsWith('/') && entry.uncompressedSize === 0) continue;
    await scanMember(src, entry, ctx, torch);
  }
}

function reportTorchScript(ctx: ScanContext, code: string[]): void {
  ctx.report({
    ruleId: 'pytorch.torchscript-archive',
    severity: 'info',
    title: 'TorchScript archive: code is compiled on torch.jit.load',
    message: `This is a TorchScript archive with ${code.length} code file(s). torch.jit.load (and torch.load, which hands such archives to it) compiles them and runs their __setstate__ methods; each file is analysed below.`,
    evidence: { details: { files: code.length, first: shorten(code[0], 200) } }
  });
}

async function scanMember(
  src: ByteSource,
  entry: ZipEntry,
  ctx: ScanContext,
  torch: TorchZipLayout | undefined
): Promise<void> {
  const member = await openMember(src, entry, ctx);
  const unreadableFlags = (entry.flags | (entry.localFlags ?? 0)) & UNREADABLE_FLAGS;
  if (!member) {
    if (unreadableFlags) ctx.incomplete(`Member ${JSON.stringify(shorten(entry.name, 200))} is encrypted.`);
    return;
  }
  const crcOk = await checkCrc(member, entry, unreadableFlags ? undefined : ctx);
  if (unreadableFlags) {
    const head = await member.read(0, 4096);
    const plain = crcOk === true || looksLikePickle(head) !== 'no' || startsWithLocalHeader(head);
    if (!plain) {
      ctx.incomplete(
        `Member ${JSON.stringify(shorten(entry.name, 200))} is encrypted (flag 0x${unreadableFlags.toString(16)}), so it was not analysed.`,
        entry.dataOffset
      );
      return;
    }
    ctx.report({
      ruleId: 'zip.flag-mismatch',
      severity: 'medium',
      title: 'Member marked encrypted but stored in the clear',
      message: `Member ${JSON.stringify(shorten(entry.name, 200))} sets flag 0x${unreadableFlags.toString(16)} (encrypted/patched) yet its data is plain. Some scanners skip such members while loaders read them (CVE-2025-1945). Its content was analysed.`,
      offset: entry.localHeaderOffset,
      evidence: { details: { member: shorten(entry.name, 200), flags: entry.flags } }
    });
  }
  await ctx.scanNested(member, entry.name, torch ? torchMemberRole(torch, entry.name) : 'content');
}

/**
 * Stored members are re-read for their CRC only when small, or when they hold something a loader parses (a
 * pickle, a nested zip): tampering there is what matters (CVE-2025-10156), while re-reading gigabytes of
 * raw tensor storage would only make the scan as slow as hashing.
 */
async function worthCrcCheck(member: ByteSource): Promise<boolean> {
  if (member.size <= CRC_ALWAYS_MAX) return true;
  if (member.size > CRC_CHECK_MAX) return false;
  const head = await member.read(0, 4096);
  return looksLikePickle(head) !== 'no' || startsWithLocalHeader(head);
}

/** True/false when checked, undefined when not re-read; a mismatch is reported only when ctx is given. */
async function checkCrc(
  member: ByteSource,
  entry: ZipEntry,
  ctx?: ScanContext
): Promise<boolean | undefined> {
  if (entry.method === METHOD_STORED && !(await worthCrcCheck(member))) return undefined;
  let crc = 0;
  for (let offset = 0; offset < member.size; offset += 1024 * 1024) {
    crc = crc32(await member.read(offset, 1024 * 1024), crc);
  }
  if (crc === entry.crc32) return true;
  ctx?.report({
    ruleId: 'zip.crc-mismatch',
    severity: 'medium',
    title: 'Member checksum does not match',
    message: `The CRC-32 of ${JSON.stringify(shorten(entry.name, 200))} differs from the one recorded. Python's zipfile refuses the member but PyTorch's reader does not check, and some scanners give up (CVE-2025-10156): the file was altered after it was written. Its content was analysed.`,
    offset: entry.localHeaderOffset,
    evidence: {
      details: {
        member: shorten(entry.name, 200),
        recorded: entry.crc32.toString(16),
        actual: crc.toString(16)
      }
    }
  });
  return false;
}
