import type { AuditReport } from '../core/deps/audit';
import type { CollectedDependencies } from '../core/deps/collect';
import type { OsvDatabaseInfo } from '../core/deps/osv-database';
import type { Dependency } from '../core/deps/types';
import type { BomModelFile } from '../core/sbom/cyclonedx';
import type { BomValidation } from '../core/sbom/validate';

/** A dropped file the worker may read (only if it is a dependency input or included by one). */
export interface DepsFile {
  path: string;
  file: File;
}

export interface PastedInput {
  /** The file name the text is read as, e.g. "requirements.txt" or "uv.lock". */
  name: string;
  text: string;
}

export type VulnSourceKind = AuditReport['source'];

export interface OfflineDatabase extends OsvDatabaseInfo {
  /** A few reasons records were rejected while indexing (only right after indexing). */
  rejections?: string[];
}

export interface IndexProgress {
  bytesIn: number;
  records: number;
}

export interface ExportRequest {
  modelName: string;
  files: BomModelFile[];
  dependencies: Dependency[];
  report: AuditReport | null;
}

export interface Exports {
  pipAudit: string | null;
  sarif: string | null;
  cyclonedx: string;
  validation: BomValidation;
}

/** The API exposed by deps.worker.ts: every file read and every network request of the Dependencies page. */
export interface DepsWorkerApi {
  collect(files: DepsFile[], pasted: PastedInput | null): Promise<CollectedDependencies>;
  databaseInfo(): Promise<OfflineDatabase | null>;
  /** Streams a dropped OSV all.zip into the offline index (replacing the previous one). */
  indexDatabase(file: File, onProgress: (p: IndexProgress) => void): Promise<OfflineDatabase>;
  /** Online: querybatch + vulns/{id} on api.osv.dev (cached). Offline: the indexed database, no network. */
  audit(dependencies: Dependency[], source: VulnSourceKind): Promise<AuditReport>;
  exports(request: ExportRequest): Promise<Exports>;
  /** Stops a running audit or indexing. */
  cancel(): void;
}
