import type { FileReport } from '../core/findings';
import {
  buildTriageReport,
  type DependencyInput,
  type ProvenanceInput,
  type SignatureInput,
  type TriageLicense,
  type TriageReport
} from '../core/triage';
import type { FileJob } from './file-job';

/** Results of the other pages (provenance, signatures, dependencies) that a triage can include. */
export interface TriageExtras {
  signature?: SignatureInput | null;
  provenance?: ProvenanceInput | null;
  dependencies?: DependencyInput | null;
  license?: TriageLicense | null;
}

export interface ModelIdentity {
  name: string;
  version: string;
  source: string;
}

/** The folder every path is in, when they all share one top folder; "" otherwise. */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const [only] = tops;
  return tops.size === 1 && only ? only : '';
}

/** A path relative to the model folder. */
export function relativeTo(folder: string, path: string): string {
  return folder && path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : path;
}

/** A model name proposed from the files: the dropped folder, else the first file without its extension. */
export function suggestedName(paths: readonly string[]): string {
  const folder = commonFolder(paths);
  if (folder) return folder;
  const first = paths[0]?.split('/').pop() ?? '';
  return first.replace(/\.[^.]+$/, '') || 'model';
}

/** A file that was not read (an error, or cancelled): in the triage as not analysed, never left out. */
function unreadReport(job: FileJob, path: string): FileReport {
  const title = job.state === 'cancelled' ? 'Not checked: cancelled' : 'Not checked: could not be read';
  return {
    path,
    size: job.size,
    formats: [],
    verdict: 'medium',
    complete: false,
    findings: [
      {
        ruleId: 'scan.unreadable',
        severity: 'medium',
        title,
        message: `${job.error ?? 'The scan of this file was cancelled.'} Nothing is known about what loading it does.`,
        format: 'scan',
        location: { path: [path] },
        evidence: {}
      }
    ]
  };
}

/**
 * Finished jobs with a scan report, as reports with paths relative to the model folder and their hashes;
 * files that failed or were cancelled are included as not fully analysed.
 */
export function scannedReports(jobs: readonly FileJob[]): FileReport[] {
  const done = jobs.filter((j) => j.state === 'done' && j.report && j.sha256);
  const unread = jobs.filter((j) => j.state === 'error' || j.state === 'cancelled');
  const folder = commonFolder([...done, ...unread].map((j) => j.path));
  return [
    ...done.map((j) => ({
      ...j.report!,
      path: relativeTo(folder, j.path),
      sha256: j.sha256,
      gitSha1: j.gitSha1 ?? undefined
    })),
    ...unread.map((j) => unreadReport(j, relativeTo(folder, j.path)))
  ];
}

/** The triage of the chosen files as one model version, with whatever the other pages found. */
export function sessionTriage(
  jobs: readonly FileJob[],
  model: ModelIdentity,
  extras: TriageExtras = {},
  createdAt?: string
): TriageReport {
  return buildTriageReport({
    model: {
      name: model.name.trim(),
      version: model.version.trim() || null,
      source: model.source.trim() || null
    },
    files: scannedReports(jobs),
    ...(extras.signature ? { signature: extras.signature } : {}),
    ...(extras.provenance ? { provenance: extras.provenance } : {}),
    ...(extras.dependencies ? { dependencies: extras.dependencies } : {}),
    ...(extras.license ? { license: extras.license } : {}),
    ...(createdAt ? { createdAt } : {})
  });
}
