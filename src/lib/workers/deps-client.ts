import { connect, type WorkerConnection } from './comlink';
import type { DepsWorkerApi } from './deps-api';

export type DepsWorker = WorkerConnection<DepsWorkerApi>;

export function connectDepsWorker(): DepsWorker {
  const worker = new Worker(new URL('./deps.worker.ts', import.meta.url), { type: 'module' });
  return connect<DepsWorkerApi>(
    worker,
    (message) => new Error(`the dependency worker stopped: ${message || 'unknown error'}`)
  );
}
