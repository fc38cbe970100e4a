import { connect, type Remote } from './comlink';
import type { ProvenanceWorkerApi } from './provenance-api';

/** One lazily started provenance worker; `dispose` terminates it. */
export function createProvenanceWorker(): { api: Remote<ProvenanceWorkerApi>; dispose: () => void } {
  const worker = new Worker(new URL('./provenance.worker.ts', import.meta.url), { type: 'module' });
  const { api, terminate } = connect<ProvenanceWorkerApi>(
    worker,
    (message) => new Error(`the provenance worker stopped: ${message || 'unknown error'}`)
  );
  return { api, dispose: terminate };
}
