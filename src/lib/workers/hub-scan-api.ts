import type { DownloadLimits } from '../core/remote/budget';
import type { HubScanResult } from '../core/remote/scan-hub';
import type { Transport } from '../core/remote/transport';

export interface HubScanRequest {
  target: string;
  token: string | null;
  limits: DownloadLimits;
}

export interface HubScanEvents {
  /** Display paths (hf://ORG/REPO@COMMIT7/path) and sizes of the files about to be scanned. */
  listed(files: { path: string; size: number }[], commit: string, repoId: string): void;
  started(path: string): void;
}

export type HubScanSummary = Omit<HubScanResult, 'files'>;

/** The API of hub-scan.worker.ts. Every request goes through `transport`, which the page runs (under its CSP). */
export interface HubScanWorkerApi {
  scan(request: HubScanRequest, transport: Transport, events: HubScanEvents): Promise<HubScanSummary>;
}
