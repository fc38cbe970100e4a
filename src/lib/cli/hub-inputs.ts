// `safeload scan|gate` on a Hub repo read in place (hf://ORG/REPO[@REV], https://huggingface.co/…). Called from
// scan-command.ts and gate-command.ts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inputKindOf } from '../core/deps/names';
import { DownloadBudget, formatBytes } from '../core/remote/budget';
import { openHubFile } from '../core/remote/hub-file';
import { RangeFetcher } from '../core/remote/range-fetcher';
import type { SignatureInput } from '../core/triage/signature';
import { isHubTarget, parseHubTarget } from '../core/remote/hub-target';
import { scanOnHub, type HubScanResult } from '../core/remote/scan-hub';
import { fetchTransport } from '../core/remote/transport';
import type { FileReport } from '../core/findings';
import type { FetchLike } from '../core/provenance/hub-client';
import { HubError, HubRefError } from '../core/provenance/errors';
import { terminalText } from '../core/report/escape';
import { CliError, UsageError } from './errors';
import type { HubOptions } from './hub-args';
import type { Io } from './io';

export { isHubTarget };

/** Where the Hub is; only tests pass their emulator here. */
export interface HubEndpoints {
  hub?: string;
  fileOrigins?: readonly string[];
  fetch?: FetchLike;
}

/** Extra lines under a file in the text report: what was read in place, and whose digests these are. */
export function originLines(report: FileReport): string[] {
  const o = report.origin;
  if (!o) return [];
  if (o.kind === 'hub-cache')
    return [
      `         hub cache ${o.repoId}@${o.commit.slice(0, 7)} ${o.repoPath} (blob ${o.blobId ?? 'none'})`
    ];
  const pct = report.size > 0 ? ` (${(((o.bytesFetched ?? 0) / report.size) * 100).toPrecision(2)} %)` : '';
  return [
    `         read in place: ${formatBytes(o.bytesFetched ?? 0)} of ${formatBytes(report.size)}${pct}; ` +
      (o.digests === 'computed'
        ? 'digests computed here'
        : `sha256 ${report.sha256 ? 'from the Hub listing, not computed' : 'not available (not downloaded)'}`) +
      `; Hub scan: ${o.hubSecurityStatus ?? 'not reported'}`
  ];
}

export function hubFailure(target: string, err: unknown): Error {
  if (err instanceof HubRefError) return new UsageError(`${target}: ${err.message}`);
  if (err instanceof HubError) return new CliError('HUB_UNREADABLE', `${target}: ${err.message}`);
  return err as Error;
}

export async function scanHubTarget(
  target: string,
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<HubScanResult> {
  let ref;
  try {
    ref = parseHubTarget(target);
  } catch (err) {
    throw hubFailure(target, err);
  }
  const platformFetch = endpoints.fetch ?? globalThis.fetch;
  try {
    const result = await scanOnHub(
      ref,
      {
        fetch: platformFetch,
        transport: fetchTransport(platformFetch),
        token: options.token,
        hub: endpoints.hub,
        fileOrigins: endpoints.fileOrigins
      },
      { limits: options.limits }
    );
    const pct = result.totalSize > 0 ? ((result.bytesFetched / result.totalSize) * 100).toPrecision(2) : '0';
    io.err(
      `${target}: commit ${result.commit}, ${result.files.length} file(s) scanned in place; downloaded ` +
        `${formatBytes(result.bytesFetched)} of ${formatBytes(result.totalSize)} (${pct} %) in ${result.requests.requests} request(s).`
    );
    return result;
  } catch (err) {
    throw hubFailure(target, err);
  }
}

/**
 * Takes the Hub targets out of scan's inputs and scans them in place; the rest are paths for the folder walk
 * (a hub cache folder among them: see hub-cache.ts). A target that cannot be read at all is an error (exit 2),
 * like a missing path.
 */
export async function scanHubTargets(
  inputs: readonly string[],
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<{ reports: FileReport[]; localPaths: string[]; failed: boolean }> {
  const reports: FileReport[] = [];
  const localPaths: string[] = [];
  let failed = false;
  for (const input of inputs) {
    try {
      if (isHubTarget(input)) reports.push(...(await scanHubTarget(input, options, io, endpoints)).reports);
      else localPaths.push(input);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      io.err(terminalText(`safeload: ${(err as Error).message}`));
      failed = true;
    }
  }
  return { reports, localPaths, failed };
}

/** The Hub repo as the gate needs it: scan reports, plus its small text files on disk for the other steps. */
export interface HubGateInput {
  result: HubScanResult;
  /** A temporary folder holding the repo's model card and dependency files, as `openDrop` would give. */
  root: string;
  files: Map<string, string>;
  signature: SignatureInput;
  cleanup(): Promise<void>;
}

const MAX_TEXT_FILE = 4 * 1024 * 1024;

export async function openHubGate(
  target: string,
  options: HubOptions,
  io: Io,
  endpoints: HubEndpoints = {}
): Promise<HubGateInput> {
  const result = await scanHubTarget(target, options, io, endpoints);
  const root = await mkdtemp(join(tmpdir(), 'safeload-hub-'));
  const files = new Map<string, string>();
  const platformFetch = endpoints.fetch ?? globalThis.fetch;
  const fetcher = new RangeFetcher({
    transport: fetchTransport(platformFetch),
    token: options.token,
    hub: endpoints.hub,
    fileOrigins: endpoints.fileOrigins
  });
  const budget = new DownloadBudget({ perFileBytes: MAX_TEXT_FILE, totalBytes: 64 * MAX_TEXT_FILE });
  try {
    const wanted = result.files.filter(
      (f) => f.size <= MAX_TEXT_FILE && (f.path.toLowerCase() === 'readme.md' || inputKindOf(f.path) !== null)
    );
    for (const f of wanted.slice(0, 64)) {
      const opened = openHubFile(fetcher, result.ref, result.commit, f, budget.forFile());
      const fsPath = join(root, ...f.path.split('/'));
      await mkdir(dirname(fsPath), { recursive: true });
      await writeFile(fsPath, await opened.source.read(0, f.size));
      files.set(f.path, fsPath);
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw hubFailure(target, err);
  }
  const signed = result.files.some((f) => f.path === 'model.sig');
  return {
    result,
    root,
    files,
    signature: signed
      ? {
          present: true,
          error:
            'model.sig is on the Hub, but verifying it needs every file downloaded and hashed; it was not checked in place'
        }
      : { present: false },
    cleanup: () => rm(root, { recursive: true, force: true })
  };
}
