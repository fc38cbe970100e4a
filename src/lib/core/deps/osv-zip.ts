import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { normalizeName } from './names';
import type { OsvDatabaseInfo, OsvIndexStore } from './osv-database';
import { asOsvRecord, isPypi, type OsvRecord } from './osv-record';

export interface OsvZipLimits {
  /** Bytes of one decompressed record. */
  maxRecordBytes: number;
  /** Records read from one database. */
  maxRecords: number;
  /** Zip entries looked at (records, other files, directories). */
  maxEntries: number;
  /** Records kept in memory before a batch is handed over. */
  batchSize: number;
}

export const OSV_ZIP_LIMITS: OsvZipLimits = {
  maxRecordBytes: 4 * 1024 * 1024,
  maxRecords: 500_000,
  maxEntries: 1_000_000,
  batchSize: 2000
};

/** Bytes handed to the unzipper at once; a large chunk of small records would otherwise overflow the stack. */
const PUSH_BYTES = 64 * 1024;

export interface OsvZipBatch {
  /** Records by the PEP 503 name of each PyPI package they affect. */
  byPackage: Map<string, OsvRecord[]>;
  /** Running totals, for progress. */
  records: number;
  withdrawn: number;
  rejected: number;
  bytesIn: number;
}

export interface OsvZipSummary {
  records: number;
  withdrawn: number;
  rejected: number;
  newestModified: string | null;
  packages: Set<string>;
  incomplete: string[];
  /** A few reasons records were rejected, for the report. */
  rejections: string[];
}

interface State {
  limits: OsvZipLimits;
  only?: ReadonlySet<string>;
  pending: Map<string, OsvRecord[]>;
  pendingCount: number;
  summary: OsvZipSummary;
  entries: number;
  stopped: boolean;
}

function reject(state: State, reason: string) {
  state.summary.rejected++;
  if (state.summary.rejections.length < 20) state.summary.rejections.push(reason);
}

function accept(state: State, name: string, bytes: Uint8Array) {
  let record: OsvRecord;
  try {
    record = asOsvRecord(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (err) {
    reject(state, `${name}: ${(err as Error).message.slice(0, 200)}`);
    return;
  }
  const s = state.summary;
  if (s.records >= state.limits.maxRecords) {
    if (!state.stopped) s.incomplete.push(`stopped after ${state.limits.maxRecords} records`);
    state.stopped = true;
    return;
  }
  s.records++;
  if (!s.newestModified || record.modified > s.newestModified) s.newestModified = record.modified;
  if (record.withdrawn) {
    s.withdrawn++;
    return;
  }
  const names = new Set(
    (record.affected ?? [])
      .filter(isPypi)
      .flatMap((a) => (typeof a.package?.name === 'string' ? [normalizeName(a.package.name)] : []))
  );
  for (const pkg of names) {
    s.packages.add(pkg);
    if (state.only && !state.only.has(pkg)) continue;
    const list = state.pending.get(pkg) ?? [];
    list.push(record);
    state.pending.set(pkg, list);
    state.pendingCount++;
  }
}

function onFile(state: State, file: UnzipFile) {
  if (state.stopped) return;
  if (++state.entries > state.limits.maxEntries) {
    state.summary.incomplete.push(`stopped after ${state.limits.maxEntries} zip entries`);
    state.stopped = true;
    return;
  }
  if (!file.name.endsWith('.json')) return;
  if (file.originalSize !== undefined && file.originalSize > state.limits.maxRecordBytes) {
    reject(state, `${file.name}: ${file.originalSize} bytes exceeds ${state.limits.maxRecordBytes}`);
    return;
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  file.ondata = (err, data, final) => {
    if (err) {
      reject(state, `${file.name}: ${err.message}`);
      return;
    }
    size += data.length;
    if (size > state.limits.maxRecordBytes) {
      file.terminate();
      reject(state, `${file.name}: more than ${state.limits.maxRecordBytes} bytes once decompressed`);
      return;
    }
    parts.push(data);
    if (!final) return;
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    accept(state, file.name, all);
  };
  try {
    file.start();
  } catch (err) {
    reject(state, `${file.name}: ${(err as Error).message}`);
  }
}

/**
 * Streams OSV's `<ecosystem>/all.zip` (flat `<ID>.json` entries): decompresses entry by entry, checks each
 * record's shape and size, and yields them in batches grouped by PyPI package. `only` keeps just those packages.
 * The summary object fills in as the stream is consumed.
 */
export async function* readOsvZip(
  chunks: AsyncIterable<Uint8Array>,
  summary: OsvZipSummary,
  options: { limits?: OsvZipLimits; only?: ReadonlySet<string> } = {}
): AsyncGenerator<OsvZipBatch> {
  const state: State = {
    limits: options.limits ?? OSV_ZIP_LIMITS,
    only: options.only,
    pending: new Map(),
    pendingCount: 0,
    summary,
    entries: 0,
    stopped: false
  };
  const unzip = new Unzip((file) => onFile(state, file));
  unzip.register(UnzipInflate);
  let bytesIn = 0;
  const flush = (): OsvZipBatch => {
    const batch = {
      byPackage: state.pending,
      records: summary.records,
      withdrawn: summary.withdrawn,
      rejected: summary.rejected,
      bytesIn
    };
    state.pending = new Map();
    state.pendingCount = 0;
    return batch;
  };
  let sawBytes = false;
  for await (const chunk of chunks) {
    if (state.stopped) break;
    sawBytes ||= chunk.length > 0;
    bytesIn += chunk.length;
    try {
      // fflate handles the entries of one push by recursion, a level per entry: bound the entries per push.
      for (let at = 0; at < chunk.length; at += PUSH_BYTES)
        unzip.push(chunk.subarray(at, at + PUSH_BYTES), false);
    } catch (err) {
      summary.incomplete.push(`not a readable zip: ${(err as Error).message}`);
      state.stopped = true;
      break;
    }
    if (state.pendingCount >= state.limits.batchSize) yield flush();
  }
  if (!state.stopped) {
    try {
      unzip.push(new Uint8Array(0), true);
    } catch (err) {
      summary.incomplete.push(`the zip ends early: ${(err as Error).message}`);
    }
  }
  if (!sawBytes) summary.incomplete.push('the database file is empty');
  else if (summary.records === 0 && summary.rejected === 0)
    summary.incomplete.push('no OSV records (*.json entries) found in the zip');
  if (state.pendingCount > 0) yield flush();
}

export function emptyZipSummary(): OsvZipSummary {
  return {
    records: 0,
    withdrawn: 0,
    rejected: 0,
    newestModified: null,
    packages: new Set(),
    incomplete: [],
    rejections: []
  };
}

/** Indexes a dropped OSV database into the store (cleared first) and records its date and size. */
export async function indexOsvDatabase(
  chunks: AsyncIterable<Uint8Array>,
  store: OsvIndexStore,
  options: {
    limits?: OsvZipLimits;
    only?: ReadonlySet<string>;
    onProgress?: (b: OsvZipBatch) => void;
    now?: () => Date;
  } = {}
): Promise<OsvDatabaseInfo & { rejections: string[] }> {
  await store.clear();
  const summary = emptyZipSummary();
  for await (const batch of readOsvZip(chunks, summary, options)) {
    await store.append(batch.byPackage);
    options.onProgress?.(batch);
  }
  const info: OsvDatabaseInfo = {
    newestModified: summary.newestModified,
    records: summary.records,
    packages: summary.packages.size,
    withdrawn: summary.withdrawn,
    rejected: summary.rejected,
    indexedAt: (options.now?.() ?? new Date()).toISOString(),
    incomplete: summary.incomplete
  };
  await store.setInfo(info);
  return { ...info, rejections: summary.rejections };
}
