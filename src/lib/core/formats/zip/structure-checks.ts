import { shorten } from '../../findings';
import type { ScanContext } from '../types';
import type { ZipDirectory, ZipEntry } from './directory';
import { S_IFLNK, S_IFMT, unsafeMemberPath } from './member-names';

const ENCRYPTED = 0x1;
const PATCHED = 0x20;
const STRONG_ENCRYPTION = 0x40;
export const UNREADABLE_FLAGS = ENCRYPTED | PATCHED | STRONG_ENCRYPTION;

/** Directory-level anomalies: each is something a loader tolerates and an attacker can use. */
export function checkDirectory(dir: ZipDirectory, ctx: ScanContext): void {
  for (const problem of dir.problems) ctx.incomplete(`Zip structure is damaged: ${problem}.`);
  if (dir.entries.length < dir.declaredEntries && dir.entries.length >= ctx.limits.maxArchiveEntries) {
    ctx.incomplete(
      `The archive declares ${dir.declaredEntries} members; only the first ${ctx.limits.maxArchiveEntries} were analysed.`
    );
  }
  if (dir.prependedBytes > 0) {
    ctx.report({
      ruleId: 'zip.prepended-data',
      severity: 'medium',
      title: 'Data before the zip archive',
      message: `${dir.prependedBytes} bytes come before the archive. Python's zipfile skips them, but a loader that reads from the start (torch.load treats a file not starting with a zip header as a legacy pickle) sees something else. Both readings are analysed.`,
      offset: 0,
      evidence: { details: { prependedBytes: dir.prependedBytes } }
    });
  }
  checkDuplicates(dir.entries, ctx);
  checkOverlaps(dir.entries, ctx);
}

function checkDuplicates(entries: readonly ZipEntry[], ctx: ScanContext): void {
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name) && !reported.has(e.name)) {
      reported.add(e.name);
      ctx.report({
        ruleId: 'zip.duplicate-name',
        severity: 'medium',
        title: 'Two members with the same name',
        message: `The name ${JSON.stringify(shorten(e.name, 120))} appears more than once; different loaders pick different copies. Every copy was analysed.`,
        offset: e.localHeaderOffset,
        evidence: { details: { member: shorten(e.name, 200) } }
      });
    }
    seen.add(e.name);
  }
}

/** Entries whose bytes another entry also covers: reading them again is expansion, charged to the budget. */
const sharing = new WeakSet<ZipEntry>();
/** Entries whose span (offset, size, method) repeats an earlier entry's exactly: the same bytes, analysed once. */
const repeats = new WeakMap<ZipEntry, ZipEntry>();

export function sharesBytes(entry: ZipEntry): boolean {
  return sharing.has(entry);
}

/** The earlier entry with exactly the same data, when this one only repeats it. */
export function repeatOf(entry: ZipEntry): ZipEntry | undefined {
  return repeats.get(entry);
}

/**
 * Members whose data overlaps: writers never produce them; overlap is how zip bombs reach 10^6:1 (one kernel
 * named by thousands of entries) and how different tools are shown different content. Every overlapping
 * member is marked so that re-reading shared bytes counts against the per-file decompression budget, an
 * exact repeat of an earlier member is analysed once, and when the declared sizes add up to a bomb ratio
 * that is reported from the directory alone, before anything is inflated.
 */
function checkOverlaps(entries: readonly ZipEntry[], ctx: ScanContext): void {
  const withData = entries.filter((e) => e.dataOffset >= 0 && e.compressedSize > 0);
  const first = new Map<string, ZipEntry>();
  for (const e of withData) {
    const key = `${e.dataOffset}:${e.compressedSize}:${e.method}`;
    const earlier = first.get(key);
    if (earlier) repeats.set(e, earlier);
    else first.set(key, e);
  }
  const spans = [...withData].sort((a, b) => a.dataOffset - b.dataOffset || a.index - b.index);
  let coveredEnd = -1;
  let example: [ZipEntry, ZipEntry] | undefined;
  let owner: ZipEntry | undefined;
  for (const e of spans) {
    if (e.dataOffset < coveredEnd && owner) {
      sharing.add(e);
      sharing.add(owner);
      example ??= [owner, e];
    }
    if (e.dataOffset + e.compressedSize > coveredEnd) {
      coveredEnd = e.dataOffset + e.compressedSize;
      owner = e;
    }
  }
  if (!example) return;
  const overlapping = withData.filter((e) => sharing.has(e));
  const repeated = overlapping.filter((e) => repeats.has(e)).length;
  ctx.report({
    ruleId: 'zip.overlapping-members',
    severity: 'medium',
    title: 'Members share the same bytes',
    message: `${overlapping.length} members overlap, e.g. ${JSON.stringify(shorten(example[0].name, 80))} and ${JSON.stringify(shorten(example[1].name, 80))}${repeated ? `; ${repeated} of them repeat another member's data exactly and were analysed once` : ''}. Normal writers never do this; it is used for zip bombs and to show different tools different content. Bytes read again count against the per-file decompression budget.`,
    offset: example[1].dataOffset,
    evidence: { details: { overlapping: overlapping.length, repeated } }
  });
  let declared = 0;
  for (const e of overlapping) declared += Math.min(e.uncompressedSize, Number.MAX_SAFE_INTEGER);
  const physical =
    Math.max(1, ...overlapping.map((e) => e.dataOffset + e.compressedSize)) - spans[0].dataOffset;
  if (declared / Math.max(1, physical) > ctx.limits.maxCompressionRatio) {
    ctx.report({
      ruleId: 'archive.decompression-bomb',
      severity: 'high',
      title: 'Decompression bomb (overlapping members)',
      message: `The overlapping members declare ${declared} bytes of content from ${physical} bytes of data, more than ${ctx.limits.maxCompressionRatio}:1. Extracting this archive can exhaust memory or disk.`,
      offset: example[1].dataOffset,
      evidence: { details: { declared, physical, overlapping: overlapping.length } }
    });
  }
}

/** Member-level anomalies that do not depend on its content. */
export function checkEntry(entry: ZipEntry, ctx: ScanContext): void {
  const name = shorten(entry.name, 200);
  const unsafe = unsafeMemberPath(entry.name);
  if (unsafe) {
    ctx.report({
      ruleId: 'archive.path-traversal',
      severity: 'high',
      title: 'Member path escapes the extraction folder',
      message: `Member ${JSON.stringify(name)} has ${unsafe}. Extracting this archive can overwrite files outside the target folder.`,
      offset: entry.localHeaderOffset,
      evidence: { details: { member: name } }
    });
  }
  if ((entry.unixMode & S_IFMT) === S_IFLNK) {
    ctx.report({
      ruleId: 'archive.symlink',
      severity: 'high',
      title: 'Symbolic link in the archive',
      message: `Member ${JSON.stringify(name)} is a symbolic link. Extracting it can make later writes land anywhere on disk, or expose local files.`,
      offset: entry.localHeaderOffset,
      evidence: { details: { member: name } }
    });
  }
  if (entry.localName !== undefined && entry.localName !== entry.name) {
    ctx.report({
      ruleId: 'zip.name-mismatch',
      severity: 'high',
      title: 'Local and central names differ',
      message: `The central directory calls this member ${JSON.stringify(name)} but its local header says ${JSON.stringify(shorten(entry.localName, 200))}. PyTorch looks members up by the central name while tools that walk local headers see the other one: a known way to hide a pickle from scanners (CVE-2025-1944). The content was analysed whatever its name.`,
      offset: entry.localHeaderOffset,
      evidence: { details: { central: name, local: shorten(entry.localName, 200) } }
    });
  }
}
