import type { OsvRecord } from './osv-record';

export interface PackageQuery {
  /** PEP 503 normalised name. */
  name: string;
  version: string;
}

/** Where vulnerability records come from: osv.dev online, or a dropped OSV database indexed locally. */
export interface VulnSource {
  readonly kind: 'online' | 'offline';
  /** For each query, in order, the records that affect that version of the package (withdrawn ones excluded). */
  lookup(queries: readonly PackageQuery[], signal?: AbortSignal): Promise<OsvRecord[][]>;
}
