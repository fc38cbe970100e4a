import type { DependencyInput, TriageLicense } from '../core/triage';
import type { RegistryFileResult } from './registry-file';

/** A session file the governance worker may read: only model cards and dependency inputs are opened. */
export interface GovernanceFile {
  /** Path relative to the model folder. */
  path: string;
  file: File;
}

/** What the triage needs from the files besides their scan reports. */
export interface ModelExtras {
  license: TriageLicense | null;
  /** Dependencies declared in the folder, not audited (auditing is the Dependencies page's job). */
  dependencies: DependencyInput | null;
  /** Files that could not be read, and why. */
  problems: string[];
}

/** The API exposed by governance.worker.ts. */
export interface GovernanceWorkerApi {
  readExtras(files: GovernanceFile[]): Promise<ModelExtras>;
  /** Reads and validates a registry export file; a bad file gives the reason, with where in the file. */
  readRegistryFile(file: File): Promise<RegistryFileResult>;
}
