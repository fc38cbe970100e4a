import { callback, connect, type WorkerConnection } from './comlink';
import type { BundleClaims } from '../core/signing/inspect-bundle';
import type { TrustRootSummary } from '../core/signing/trust-root';
import type { ProgressCallback } from './file-job-api';
import type { SigningRequest, SigningResult, SigningWorkerApi } from './signing-api';

export interface SigningClient {
  trust(file?: File): Promise<TrustRootSummary>;
  verify(request: SigningRequest, onProgress: ProgressCallback): Promise<SigningResult>;
  inspect(bundle: File): Promise<BundleClaims>;
  cancel(): void;
  terminate(): void;
}

/** The signing worker, started on first use; a crashed worker rejects the pending call and is replaced. */
export function createSigningClient(): SigningClient {
  let current: WorkerConnection<SigningWorkerApi> | undefined;

  function start() {
    if (current) return current;
    const worker = new Worker(new URL('./signing.worker.ts', import.meta.url), { type: 'module' });
    const connection = connect<SigningWorkerApi>(
      worker,
      (message) => new Error(`the signing worker stopped unexpectedly (${message || 'no message'})`)
    );
    // A crashed worker is replaced on the next call.
    connection.crashed.catch(() => {
      if (current === connection) current = undefined;
      connection.terminate();
    });
    current = connection;
    return connection;
  }

  return {
    trust(file) {
      const w = start();
      return Promise.race([w.api.trust(file), w.crashed]);
    },
    verify(request, onProgress) {
      const w = start();
      return Promise.race([w.api.verify(request, callback(onProgress)), w.crashed]);
    },
    inspect(bundle) {
      const w = start();
      return Promise.race([w.api.inspect(bundle), w.crashed]);
    },
    cancel() {
      void current?.api.cancel().catch(() => undefined);
    },
    terminate() {
      current?.terminate();
      current = undefined;
    }
  };
}
