// The one way workers are wired: a worker serves its API with serve(); the page connects with connect() to a
// worker it started, and passes callbacks through callback(). Only this file imports comlink.
import * as Comlink from 'comlink';
import { errorCode } from '../core/errors';

export type Remote<T> = Comlink.Remote<T>;

// Comlink sends a thrown Error as its name, message and stack only; add its `code` (a CodedError's), so the
// page can tell failures apart by code. The page side rebuilds the Error with every field it was sent.
const defaultThrow = Comlink.transferHandlers.get('throw');
if (defaultThrow) {
  Comlink.transferHandlers.set('throw', {
    ...defaultThrow,
    serialize(thrown) {
      const [wire, transfer] = defaultThrow.serialize(thrown);
      const code = errorCode((thrown as { value?: unknown }).value);
      const sent = wire as { isError?: boolean; value?: object };
      if (code !== undefined && sent.isError && sent.value) sent.value = { ...sent.value, code };
      return [wire, transfer];
    }
  });
}

/** Serves `api` to the page that started this worker. */
export function serve<T extends object>(api: T): void {
  Comlink.expose(api);
}

/** A function the worker may call back (progress), passed by reference rather than copied. */
export function callback<T extends object>(fn: T): T & Comlink.ProxyMarked {
  return Comlink.proxy(fn);
}

/** `value` sent with the buffers in `transfer` moved rather than copied (a response body, say). */
export function transferred<T>(value: T, transfer: Transferable[]): T {
  return Comlink.transfer(value, transfer);
}

export interface WorkerConnection<T> {
  api: Remote<T>;
  /**
   * Rejects when the worker dies outside a call (out of memory, a module that fails to load), which would
   * otherwise leave comlink's promises pending forever: race calls against it.
   */
  crashed: Promise<never>;
  terminate(): void;
}

/**
 * Connects to a worker the caller started. The `new Worker(new URL('./x.worker.ts', import.meta.url), …)`
 * stays at the call site: that is the form Vite finds and bundles. `crashError` turns the error event's
 * message into the error `crashed` rejects with.
 */
export function connect<T>(worker: Worker, crashError: (message: string) => Error): WorkerConnection<T> {
  const crashed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (event) => reject(crashError(event.message)))
  );
  crashed.catch(() => undefined);
  return { api: Comlink.wrap<T>(worker), crashed, terminate: () => worker.terminate() };
}
