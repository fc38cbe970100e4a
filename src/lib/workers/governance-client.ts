import { connect, type Remote } from './comlink';
import type { GovernanceWorkerApi } from './governance-api';

/** One lazily started governance worker; `dispose` terminates it. */
export function createGovernanceWorker(): {
  api: Remote<GovernanceWorkerApi>;
  dispose: () => void;
} {
  const worker = new Worker(new URL('./governance.worker.ts', import.meta.url), { type: 'module' });
  const { api, terminate } = connect<GovernanceWorkerApi>(
    worker,
    (message) => new Error(`the governance worker stopped: ${message || 'unknown error'}`)
  );
  return { api, dispose: terminate };
}
