import * as Comlink from 'comlink';
import type { GovernanceWorkerApi } from './governance-api';

/** One lazily started governance worker; `dispose` terminates it. */
export function createGovernanceWorker(): {
  api: Comlink.Remote<GovernanceWorkerApi>;
  dispose: () => void;
} {
  const worker = new Worker(new URL('./governance.worker.ts', import.meta.url), { type: 'module' });
  return { api: Comlink.wrap<GovernanceWorkerApi>(worker), dispose: () => worker.terminate() };
}
