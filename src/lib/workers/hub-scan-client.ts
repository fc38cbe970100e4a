import type { FetchLike } from '../core/provenance/hub-client';
import { fetchTransport, type Transport } from '../core/remote/transport';
import { callback, connect, transferred } from './comlink';
import type { HubScanEvents, HubScanRequest, HubScanSummary, HubScanWorkerApi } from './hub-scan-api';

/**
 * Runs one Hub scan in a worker. The worker scans; the page makes every HTTP request (so the page's CSP
 * `connect-src` governs them) through a transport the worker calls back. `cancel` aborts both.
 */
export function startHubScan(
  request: HubScanRequest,
  events: HubScanEvents,
  platformFetch: FetchLike
): { done: Promise<HubScanSummary>; cancel: () => void } {
  const worker = new Worker(new URL('./hub-scan.worker.ts', import.meta.url), { type: 'module' });
  const { api, crashed, terminate } = connect<HubScanWorkerApi>(
    worker,
    (message) => new Error(`the Hub scan worker stopped unexpectedly (${message || 'no message'})`)
  );
  const controller = new AbortController();
  const base = fetchTransport(platformFetch);
  const transport: Transport = async (req) => {
    const res = await base(req, controller.signal);
    return transferred(res, [res.body.buffer]);
  };
  const done = Promise.race([api.scan(request, callback(transport), callback(events)), crashed]).finally(
    terminate
  );
  return {
    done,
    cancel: () => {
      controller.abort();
      terminate();
    }
  };
}
