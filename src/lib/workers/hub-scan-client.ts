import * as Comlink from 'comlink';
import type { FetchLike } from '../core/provenance/hub-client';
import { fetchTransport, type Transport } from '../core/remote/transport';
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
  const api = Comlink.wrap<HubScanWorkerApi>(worker);
  const controller = new AbortController();
  const base = fetchTransport(platformFetch);
  const transport: Transport = async (req) => {
    const res = await base(req, controller.signal);
    return Comlink.transfer(res, [res.body.buffer]);
  };
  const done = api
    .scan(request, Comlink.proxy(transport), Comlink.proxy(events))
    .finally(() => worker.terminate());
  return {
    done,
    cancel: () => {
      controller.abort();
      worker.terminate();
    }
  };
}
