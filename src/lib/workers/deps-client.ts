import * as Comlink from 'comlink';
import type { DepsWorkerApi } from './deps-api';

export interface DepsWorker {
  api: Comlink.Remote<DepsWorkerApi>;
  /** Rejects when the worker dies (failed module load, out of memory), so no call waits forever. */
  crashed: Promise<never>;
  terminate(): void;
}

export function connectDepsWorker(): DepsWorker {
  const worker = new Worker(new URL('./deps.worker.ts', import.meta.url), { type: 'module' });
  const crashed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (event) =>
      reject(new Error(`the dependency worker stopped: ${event.message || 'unknown error'}`))
    )
  );
  crashed.catch(() => undefined);
  return { api: Comlink.wrap<DepsWorkerApi>(worker), crashed, terminate: () => worker.terminate() };
}
