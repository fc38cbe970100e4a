import type { PolicyEvaluation, PolicyOutcome } from '../policy/types';
import type { TriageReport } from '../triage/types';

/** One version of one model as the organisation keeps it: its triages and the policy verdicts on them. */
export interface ModelVersionRecord {
  name: string;
  version: string;
  source: string | null;
  /** The provenance manifest's digest: what "this version" means, file by file. */
  manifestDigest: string | null;
  /** Oldest first. */
  reports: TriageReport[];
  /** Oldest first. */
  policyResults: PolicyEvaluation[];
  /** The newest policy outcome, or null before any evaluation. */
  status: PolicyOutcome | null;
  createdAt: string;
  updatedAt: string;
}

/** Storage of records: IndexedDB in the app, a Map in tests and the CLI. */
export interface RegistryStore {
  list(): Promise<ModelVersionRecord[]>;
  get(name: string, version: string): Promise<ModelVersionRecord | null>;
  put(record: ModelVersionRecord): Promise<void>;
  delete(name: string, version: string): Promise<boolean>;
  clear(): Promise<void>;
}
