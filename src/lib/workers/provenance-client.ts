import * as Comlink from 'comlink';
import type { ProvenanceWorkerApi } from './provenance-api';

/** One lazily started provenance worker; `dispose` terminates it. */
export function createProvenanceWorker(): { api: Comlink.Remote<ProvenanceWorkerApi>; dispose: () => void } {
  const worker = new Worker(new URL('./provenance.worker.ts', import.meta.url), { type: 'module' });
  return { api: Comlink.wrap<ProvenanceWorkerApi>(worker), dispose: () => worker.terminate() };
}
