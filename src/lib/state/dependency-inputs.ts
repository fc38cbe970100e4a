import { inputKindOf } from '../core/deps/names';
import { isHubBookkeeping } from '../core/provenance/match';
import type { BomModelFile } from '../core/sbom/cyclonedx';
import type { DepsFile } from '../workers/deps-api';
import type { FileJob } from './file-job';

/** Text files a requirements file may include with -r / -c, besides the inputs recognised by name. */
const INCLUDE_CANDIDATE = /\.(txt|in)$/i;

/** The dropped files the dependency worker may need to read: inputs, and text files includes may point at. */
export function dependencyFiles(jobs: readonly FileJob[]): DepsFile[] {
  return jobs.flatMap((j) =>
    j.file && (inputKindOf(j.path) || INCLUDE_CANDIDATE.test(j.path)) ? [{ path: j.path, file: j.file }] : []
  );
}

/** Identifies a set of input files, to re-read them only when it changes. */
export function filesKey(files: readonly DepsFile[]): string {
  return files.map((f) => `${f.path}\u0000${f.file.size}\u0000${f.file.lastModified}`).join('\u0001');
}

/** The model's files for the BOM: hashed files that are neither dependency inputs nor Hub cache bookkeeping. */
export function modelFilesOf(jobs: readonly FileJob[], readInputs: readonly string[]): BomModelFile[] {
  const inputs = new Set(readInputs);
  return jobs
    .filter((j) => j.state === 'done' && j.sha256 && !inputs.has(j.path) && !inputKindOf(j.path))
    .filter((j) => !isHubBookkeeping(j.path.split('/').slice(1).join('/')) && !isHubBookkeeping(j.path))
    .map((j) => ({
      path: j.path,
      sha256: j.sha256,
      size: j.size,
      ...(j.report?.formats.length ? { formats: j.report.formats } : {})
    }));
}

/** The dropped folder's name when every file is in the same top folder, else a neutral name. */
export function modelNameOf(paths: readonly string[]): string {
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const [only] = tops;
  return tops.size === 1 && only ? only : 'model';
}
