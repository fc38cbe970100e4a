// Which dropped files are signatures, which files each covers, and what the check said of each: pure logic
// over paths and results, used by the Signatures page and the signing worker.
import type { FileReport, Verdict } from '../findings';
import type { CheckLine } from './checklist';
import type { FileDiff } from './model-diff';

/** What a verification said about the files, as signedFileRows reads it (the worker's SigningResult). */
export interface CoverageResult {
  kind: 'model' | 'artifact';
  lines: CheckLine[];
  diff?: FileDiff;
  ignored: string[];
  target?: string;
}

/** A dropped file's scan, as far as the rows show it (the app's FileJob). */
export interface ScannedFile {
  state: string;
  report?: FileReport;
}

/** Bundle names tried first, in order; any other .json is offered last (it may be a bundle or not). */
const SIGNATURE_SUFFIXES = ['.sig', '.sigstore', '.sigstore.json'];
const BUNDLE_HINT = /sigstore|bundle|attestation|intoto|provenance|\.sig\b/i;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The folder holding a path ('' at the top level). */
export function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function rank(path: string): number {
  const name = baseName(path).toLowerCase();
  if (name === 'model.sig') return 0;
  if (SIGNATURE_SUFFIXES.some((s) => name.endsWith(s))) return 1;
  if (name.endsWith('.json') && BUNDLE_HINT.test(name)) return 2;
  if (name.endsWith('.json')) return 3;
  return -1;
}

/** Dropped files that may be Sigstore bundles, most likely first (model.sig, then .sig/.sigstore…, then .json). */
export function bundleCandidates(paths: readonly string[]): string[] {
  return paths.filter((p) => rank(p) >= 0).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Files beside a bundle (its folder, recursively), with paths relative to that folder. */
export function filesBeside<T extends { path: string }>(
  jobs: readonly T[],
  bundlePath: string
): { rel: string; job: T }[] {
  const folder = folderOf(bundlePath);
  const prefix = folder ? `${folder}/` : '';
  return jobs
    .filter((j) => j.path.startsWith(prefix))
    .map((job) => ({ rel: job.path.slice(prefix.length), job }));
}

const STRIP = [/\.sigstore\.json$/i, /\.sigstore$/i, /\.sig$/i, /\.bundle\.json$/i, /\.intoto\.jsonl?$/i];

/**
 * The artifact a single-artifact bundle most likely covers: "x.tgz.sigstore.json" → "x.tgz" when present,
 * otherwise the only other file beside it.
 */
export function guessArtifact(bundleRel: string, rels: readonly string[]): string | undefined {
  const others = rels.filter((r) => r !== bundleRel);
  for (const re of STRIP) {
    if (!re.test(bundleRel)) continue;
    const stripped = bundleRel.replace(re, '');
    if (others.includes(stripped)) return stripped;
  }
  return others.length === 1 ? others[0] : undefined;
}

/** One file beside a signature, with what the signature says of it and what the scan says of it. */
export interface SignedFileRow {
  path: string;
  /** matches: its digest is the signed one; differs / missing / extra: it is not; ignored: not covered. */
  status: 'matches' | 'differs' | 'extra' | 'ignored' | 'not checked';
  verdict: Verdict | null;
}

/**
 * The files a verification covered, each with its scan verdict: a signature over a file says who published
 * it, never that it is safe to load. `missing` files (signed, not dropped) have no verdict and are not rows.
 */
export function signedFileRows(
  result: CoverageResult,
  beside: readonly { rel: string; job: ScannedFile }[],
  bundleRel: string
): SignedFileRow[] {
  const differs = new Set(result.diff?.mismatched.map((m) => m.name) ?? []);
  const extra = new Set(result.diff?.extra ?? []);
  const ignored = new Set(result.ignored);
  // A single-file signature names its one file "."; an artifact bundle checks its subject.
  const targetMatches =
    result.kind === 'artifact'
      ? result.lines.some((l) => l.id === 'subject' && l.ok)
      : result.lines.some((l) => l.id === 'files' && l.ok);
  const covered = (rel: string): SignedFileRow['status'] => {
    if (result.target !== undefined)
      return rel !== result.target ? 'ignored' : targetMatches ? 'matches' : 'differs';
    if (ignored.has(rel)) return 'ignored';
    if (extra.has(rel)) return 'extra';
    if (differs.has(rel) || [...differs].some((n) => n.startsWith(`${rel}:`))) return 'differs';
    return 'matches';
  };
  return beside
    .filter((f) => f.rel !== bundleRel)
    .map((f) => ({
      path: f.rel,
      status: result.diff || result.target !== undefined ? covered(f.rel) : 'not checked',
      verdict: f.job.state === 'done' ? (f.job.report?.verdict ?? null) : null
    }));
}
