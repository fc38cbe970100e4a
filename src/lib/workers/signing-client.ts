import * as Comlink from 'comlink';
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
  let current: { worker: Worker; api: Comlink.Remote<SigningWorkerApi>; crashed: Promise<never> } | undefined;

  function start() {
    if (current) return current;
    const worker = new Worker(new URL('./signing.worker.ts', import.meta.url), { type: 'module' });
    const crashed = new Promise<never>((_, reject) =>
      worker.addEventListener('error', (event) => {
        current = undefined;
        worker.terminate();
        reject(new Error(`the signing worker stopped unexpectedly (${event.message || 'no message'})`));
      })
    );
    crashed.catch(() => undefined);
    current = { worker, api: Comlink.wrap<SigningWorkerApi>(worker), crashed };
    return current;
  }

  return {
    trust(file) {
      const w = start();
      return Promise.race([w.api.trust(file), w.crashed]);
    },
    verify(request, onProgress) {
      const w = start();
      return Promise.race([w.api.verify(request, Comlink.proxy(onProgress)), w.crashed]);
    },
    inspect(bundle) {
      const w = start();
      return Promise.race([w.api.inspect(bundle), w.crashed]);
    },
    cancel() {
      void current?.api.cancel().catch(() => undefined);
    },
    terminate() {
      current?.worker.terminate();
      current = undefined;
    }
  };
}
