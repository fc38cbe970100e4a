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

function checkOverlaps(entries: readonly ZipEntry[], ctx: ScanContext): void {
  const spans = entries
    .filter((e) => e.dataOffset >= 0 && e.compressedSize > 0)
    .sort((a, b) => a.dataOffset - b.dataOffset);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    if (spans[i].dataOffset < prev.dataOffset + prev.compressedSize) {
      ctx.report({
        ruleId: 'zip.overlapping-members',
        severity: 'medium',
        title: 'Members share the same bytes',
        message: `Members ${JSON.stringify(shorten(prev.name, 80))} and ${JSON.stringify(shorten(spans[i].name, 80))} overlap. Normal writers never do this; it is used for zip bombs and to show different tools different content.`,
        offset: spans[i].dataOffset
      });
      return;
    }
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
