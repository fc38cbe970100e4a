import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { shorten, type FileReport, type Severity } from '../core/findings';

export interface WalkedFile {
  /** Absolute or as-given path to open. */
  fsPath: string;
  /** Path shown in reports: relative to the folder given (prefixed with its name), or the file as given. */
  displayPath: string;
  /** The file's real path: a file reached twice under one name (through a link) is scanned once. */
  realPath: string;
  /** For a followed symbolic link, what it resolves to (relative to the scanned folder, or a hub cache's repo folder). */
  linkTarget?: string;
}

/** An entry that could not be read at all (permissions, vanished): the run is an error that names it. */
export interface WalkError {
  path: string;
  message: string;
}

export interface WalkResult {
  files: WalkedFile[];
  /** Entries that are not files to scan (links out of the folder, loops, FIFOs, devices): one finding each. */
  entries: FileReport[];
  errors: WalkError[];
  /** Set when the walk stopped at the entry bound: what was not walked is unknown, so the run is an error. */
  stoppedAt?: number;
}

export interface WalkOptions {
  /** Entries (files, folders, links) visited before the walk stops; reaching it is an error. */
  maxEntries?: number;
}

export const DEFAULT_MAX_ENTRIES = 1_000_000;

const HUB_REPO = /^(models|datasets|spaces)--./;

/**
 * A Hugging Face cache snapshot (`<repo>/snapshots/<commit>/…`) is made of relative links into the repo's
 * `blobs/` folder: a scan rooted in a snapshot may follow links there too (they stay in the cache repo).
 */
function hubBlobsFor(rootReal: string): { repo: string; blobs: string } | undefined {
  for (let dir = rootReal; dirname(dir) !== dir; dir = dirname(dir)) {
    const parent = dirname(dir);
    if (basename(dir) === 'snapshots' && HUB_REPO.test(basename(parent))) {
      return { repo: parent, blobs: join(parent, 'blobs') };
    }
  }
  if (HUB_REPO.test(basename(rootReal))) return { repo: rootReal, blobs: join(rootReal, 'blobs') };
  return undefined;
}

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

function entryReport(
  path: string,
  rule: string,
  severity: Severity,
  title: string,
  message: string,
  complete: boolean,
  details: Record<string, string>
): FileReport {
  return {
    path,
    size: 0,
    formats: [],
    verdict: severity,
    complete,
    findings: [
      {
        ruleId: rule,
        severity,
        title,
        message,
        format: 'folder',
        location: { path: [path] },
        evidence: { details }
      }
    ]
  };
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Entries the whole run may still visit. */
interface Budget {
  readonly max: number;
  used: number;
}

class Walk {
  readonly result: WalkResult = { files: [], entries: [], errors: [] };

  constructor(
    private readonly budget: Budget,
    private readonly rootReal: string,
    private readonly hub: { repo: string; blobs: string } | undefined
  ) {}

  private get stopped(): boolean {
    return this.result.stoppedAt !== undefined;
  }

  private counted(): boolean {
    if (++this.budget.used <= this.budget.max) return true;
    this.result.stoppedAt = this.budget.max;
    return false;
  }

  private fail(path: string, err: unknown): void {
    this.result.errors.push({ path, message: (err as Error).message });
  }

  /** Where a link may lead: inside the scanned folder, or into the hub cache's blobs. */
  private allowed(real: string): boolean {
    return inside(real, this.rootReal) || (this.hub !== undefined && inside(real, this.hub.blobs));
  }

  private label(real: string): string {
    const base = inside(real, this.rootReal) ? this.rootReal : (this.hub?.repo ?? this.rootReal);
    return relative(base, real).split(sep).join('/');
  }

  async folder(fsPath: string, display: string, real: string, ancestors: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(fsPath)).sort();
    } catch (err) {
      this.fail(display, err);
      return;
    }
    const within = new Set(ancestors).add(real);
    for (const name of names) {
      if (this.stopped || !this.counted()) return;
      await this.entry(join(fsPath, name), `${display}/${name}`, join(real, name), within);
    }
  }

  private async entry(fsPath: string, display: string, real: string, ancestors: ReadonlySet<string>) {
    let info: Stats;
    try {
      info = await lstat(fsPath);
    } catch (err) {
      this.fail(display, err);
      return;
    }
    if (info.isSymbolicLink()) await this.link(fsPath, display, ancestors);
    else if (info.isDirectory()) await this.folder(fsPath, display, real, ancestors);
    else if (info.isFile()) this.result.files.push({ fsPath, displayPath: display, realPath: real });
    else this.special(display, info);
  }

  special(display: string, info: Stats): void {
    const kind = kindOf(info);
    this.result.entries.push(
      entryReport(
        display,
        'walk.special-file',
        'medium',
        `Not a regular file: ${kind}`,
        `This entry is ${kind}, which no model needs. It was not read (reading a FIFO can block, a device can hand a loader anything), so what a loader opening it would get is unknown.`,
        false,
        { kind }
      )
    );
  }

  private async link(fsPath: string, display: string, ancestors: ReadonlySet<string>): Promise<void> {
    let real: string;
    try {
      real = await realpath(fsPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') return this.loop(display, 'resolves through a cycle of links');
      if (code === 'ENOENT') {
        this.result.entries.push(
          entryReport(
            display,
            'walk.broken-link',
            'low',
            'Symbolic link to nothing',
            'This link points to a file that does not exist (a deleted blob or an interrupted download). Nothing was read; a loader opening it fails.',
            true,
            {}
          )
        );
        return;
      }
      this.fail(display, err);
      return;
    }
    if (!this.allowed(real)) {
      this.result.entries.push(
        entryReport(
          display,
          'walk.link-outside-root',
          'high',
          'Symbolic link leaves the scanned folder',
          `This link resolves to ${JSON.stringify(shorten(real, 300))}, outside the folder being scanned. It was not followed, so what a loader reading it gets was not checked; a link out of a model folder can also swap in or expose files elsewhere on the machine.`,
          false,
          { target: shorten(real, 300) }
        )
      );
      return;
    }
    let info: Stats;
    try {
      info = await stat(real);
    } catch (err) {
      this.fail(display, err);
      return;
    }
    if (info.isDirectory()) {
      if (ancestors.has(real)) return this.loop(display, `points back to ${this.label(real) || '.'}`);
      await this.folder(real, display, real, ancestors);
    } else if (info.isFile()) {
      this.result.files.push({ fsPath, displayPath: display, realPath: real, linkTarget: this.label(real) });
    } else this.special(display, info);
  }

  private loop(display: string, how: string): void {
    this.result.entries.push(
      entryReport(
        display,
        'walk.link-loop',
        'medium',
        'Symbolic link loop',
        `This link ${how}, a loop. It was not followed again (everything it leads to is scanned under its own path); a loader walking this folder may never finish.`,
        true,
        {}
      )
    );
  }
}

/** A file in a Hugging Face cache repo's `blobs/` folder (named by its hash, not by what it is). */
function isHubBlob(real: string): boolean {
  const folder = dirname(real);
  return basename(folder) === 'blobs' && HUB_REPO.test(basename(dirname(folder)));
}

/**
 * Hub cache blobs reached through a snapshot link are reported under the snapshot's name (with the blob as
 * the link target), not a second time as `blobs/<id>`: the name is what decides how a loader reads it (a
 * `config.json`, a `.py`), so that is the reading that counts. Wherever the walk started (a snapshot, the
 * repo, or the whole cache above it).
 */
function dropLinkedBlobs(files: WalkedFile[]): WalkedFile[] {
  const linked = new Set(files.filter((f) => f.linkTarget !== undefined).map((f) => f.realPath));
  return files.filter(
    (f) => f.linkTarget !== undefined || !(linked.has(f.realPath) && isHubBlob(f.realPath))
  );
}

/**
 * Expands files and folders (recursively, sorted) into the files to scan. Links are followed while they stay
 * inside the folder given (or, from a hub cache snapshot, inside its cache repo); everything else that is
 * not a regular file becomes a finding, and whatever cannot be read an error.
 */
export async function walkPaths(inputs: readonly string[], options: WalkOptions = {}): Promise<WalkResult> {
  const out: WalkResult = { files: [], entries: [], errors: [] };
  const budget: Budget = { max: options.maxEntries ?? DEFAULT_MAX_ENTRIES, used: 0 };
  for (const input of inputs) {
    let real: string;
    let info: Stats;
    try {
      real = await realpath(input);
      info = await stat(real);
    } catch (err) {
      out.errors.push({ path: input, message: (err as Error).message });
      continue;
    }
    if (info.isFile()) {
      out.files.push({ fsPath: input, displayPath: input, realPath: real });
      continue;
    }
    const label = input.replace(/\/+$/, '') || input;
    const hub = info.isDirectory() ? hubBlobsFor(real) : undefined;
    const walk = new Walk(budget, real, hub);
    if (info.isDirectory()) await walk.folder(input, label, real, new Set());
    else walk.special(label, info);
    out.files.push(...dropLinkedBlobs(walk.result.files));
    out.entries.push(...walk.result.entries);
    out.errors.push(...walk.result.errors);
    if (walk.result.stoppedAt !== undefined) {
      out.stoppedAt = walk.result.stoppedAt;
      break;
    }
  }
  return out;
}
