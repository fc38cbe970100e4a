import type { ByteSource } from '../bytes/byte-source';
import { resourceAlgorithm, type ManifestEntry, type SignedManifest } from './model-manifest';
import type { SourceDigester } from './range-digest';

export interface ModelFile {
  /** POSIX path relative to the model folder; "." when the model is a single file. */
  path: string;
  source: ByteSource;
  /** Whole-file SHA-256 already computed by the hashing stage: reused, never recomputed. */
  sha256?: string;
}

export interface Mismatch {
  name: string;
  expected: string;
  actual: string;
}

export interface FileDiff {
  missing: string[];
  extra: string[];
  mismatched: Mismatch[];
  /** Resources whose digest matched. */
  matched: number;
  /** Bytes hashed here (reused digests not counted). */
  hashedBytes: number;
}

export interface DiffOptions {
  ignoreUnsignedFiles?: boolean;
  digest: SourceDigester;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** How many files or shards are hashed at once (a digester backed by a worker pool hashes them in parallel). */
  concurrency?: number;
}

/** Maps with at most `limit` calls in flight; results keep the input order; the first failure rejects. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

interface LocalResource {
  key: string;
  file: ModelFile;
  range?: { start: number; end: number };
}

function localResources(files: ModelFile[], manifest: SignedManifest): LocalResource[] {
  const { method, shardSize } = manifest.serialization;
  if (method === 'files') return files.map((file) => ({ key: file.path, file }));
  const out: LocalResource[] = [];
  for (const file of files) {
    for (let start = 0; start < file.source.size; start += shardSize!) {
      const end = Math.min(start + shardSize!, file.source.size);
      out.push({ key: `${file.path}:${start}:${end}`, file, range: { start, end } });
    }
  }
  return out;
}

/** Re-hashes the local files the signature lists and compares them with it, by name. */
export async function diffModel(
  files: ModelFile[],
  manifest: SignedManifest,
  options: DiffOptions
): Promise<FileDiff> {
  const expected = new Map<string, ManifestEntry>(manifest.entries.map((e) => [e.key, e]));
  const listedPaths = new Set(manifest.entries.map((e) => e.path));
  const considered = options.ignoreUnsignedFiles ? files.filter((f) => listedPaths.has(f.path)) : files;
  const local = localResources(considered, manifest);
  const localKeys = new Set(local.map((r) => r.key));
  const extra = local.filter((r) => !expected.has(r.key)).map((r) => r.key);
  const missing = manifest.entries.filter((e) => !localKeys.has(e.key)).map((e) => e.key);
  const toHash = local.filter((r) => expected.has(r.key));
  const algorithm = resourceAlgorithm(manifest.serialization);
  const hashType = manifest.serialization.hashType;
  const total = toHash.reduce((n, r) => n + (r.range ? r.range.end - r.range.start : r.file.source.size), 0);
  let done = 0;
  let hashedBytes = 0;
  const digestOf = async (r: LocalResource): Promise<string> => {
    if (!r.range && hashType === 'sha256' && r.file.sha256) {
      done += r.file.source.size;
      options.onProgress?.(done, total);
      return r.file.sha256.toLowerCase();
    }
    const source = r.range ? r.file.source.sub(r.range.start, r.range.end - r.range.start) : r.file.source;
    return options.digest(source, hashType, {
      signal: options.signal,
      onBytes: (n) => {
        done += n;
        hashedBytes += n;
        options.onProgress?.(done, total);
      }
    });
  };
  const actuals = await mapConcurrently(toHash, Math.max(1, options.concurrency ?? 1), digestOf);
  const mismatched: Mismatch[] = [];
  let matched = 0;
  toHash.forEach((r, i) => {
    const want = expected.get(r.key)!;
    const actual = actuals[i];
    if (want.algorithm !== algorithm) {
      mismatched.push({
        name: r.key,
        expected: `${want.algorithm}:${want.digest}`,
        actual: `${algorithm}:${actual}`
      });
    } else if (want.digest !== actual) {
      mismatched.push({ name: r.key, expected: want.digest, actual });
    } else {
      matched++;
    }
  });
  return { missing, extra, mismatched, matched, hashedBytes };
}

export function describeDiff(diff: FileDiff, modelName: string): string {
  const parts: string[] = [];
  const list = (names: string[]) =>
    names.slice(0, 20).join(', ') + (names.length > 20 ? ` … (${names.length})` : '');
  if (diff.extra.length) parts.push(`Extra files found in model '${modelName}': ${list(diff.extra)}`);
  if (diff.missing.length) parts.push(`Missing files in model '${modelName}': ${list(diff.missing)}`);
  for (const m of diff.mismatched.slice(0, 20)) {
    parts.push(`Hash mismatch for '${m.name}': Expected ${m.expected}, Actual ${m.actual}`);
  }
  if (diff.mismatched.length > 20) parts.push(`… ${diff.mismatched.length - 20} more mismatches`);
  return parts.join('; ');
}
