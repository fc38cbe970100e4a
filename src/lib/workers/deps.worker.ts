import { serve } from './comlink';
import { auditDependencies } from '../core/deps/audit';
import { OsvClient } from '../core/deps/osv-client';
import { OfflineOsvSource } from '../core/deps/osv-database';
import { indexOsvDatabase } from '../core/deps/osv-zip';
import type { VulnSource } from '../core/deps/source';
import { IdbOsvCache, IdbOsvIndexStore, openOsvDb } from '../storage/osv-idb';
import type { DepsWorkerApi, IndexProgress } from './deps-api';
import { buildExports, collectFromFiles } from './deps-tasks';

let db: Promise<IDBDatabase> | undefined;
let running: AbortController | undefined;

function database(): Promise<IDBDatabase> {
  db ??= openOsvDb().catch((err) => {
    db = undefined;
    throw err;
  });
  return db;
}

function start(): AbortSignal {
  running?.abort();
  running = new AbortController();
  return running.signal;
}

async function* chunksOf(file: Blob, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      signal.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

const api: DepsWorkerApi = {
  collect: collectFromFiles,

  async databaseInfo() {
    return new IdbOsvIndexStore(await database()).info();
  },

  async indexDatabase(file: File, onProgress: (p: IndexProgress) => void) {
    const signal = start();
    const store = new IdbOsvIndexStore(await database());
    return indexOsvDatabase(chunksOf(file, signal), store, {
      onProgress: (b) => onProgress({ bytesIn: b.bytesIn, records: b.records })
    });
  },

  async audit(dependencies, kind) {
    const signal = start();
    const idb = await database();
    let source: VulnSource;
    if (kind === 'online') {
      source = new OsvClient({
        fetch: (input, init) => fetch(input, init),
        cache: new IdbOsvCache(idb)
      });
    } else {
      const store = new IdbOsvIndexStore(idb);
      if (!(await store.info())) throw new Error('no offline OSV database has been added yet');
      source = new OfflineOsvSource(store);
    }
    return auditDependencies(dependencies, source, { signal });
  },

  async exports(request) {
    return buildExports(request);
  },

  cancel() {
    running?.abort();
  }
};

serve(api);
