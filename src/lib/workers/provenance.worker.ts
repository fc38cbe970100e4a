import * as Comlink from 'comlink';
import {
  decodeManifestFragment,
  detectLocalLayout,
  ManifestError,
  parseManifestJson
} from '../core/provenance';
import type { LayoutEntry, ProvenanceWorkerApi } from './provenance-api';

const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

async function readPrefix(file: File, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await file.slice(0, maxBytes).arrayBuffer());
}

const api: ProvenanceWorkerApi = {
  async detectLayout(entries: LayoutEntry[]) {
    const byPath = new Map(entries.map((e) => [e.path, e.file]));
    return detectLocalLayout(
      entries.map(({ path, size }) => ({ path, size })),
      async (path, maxBytes) => {
        const file = byPath.get(path);
        if (!file) throw new Error(`${path} was not dropped`);
        return readPrefix(file, maxBytes);
      }
    );
  },
  async readManifest(file: File) {
    if (file.size > MAX_MANIFEST_BYTES)
      throw new ManifestError(`The manifest is larger than ${MAX_MANIFEST_BYTES} bytes.`);
    return parseManifestJson(await readPrefix(file, MAX_MANIFEST_BYTES), MAX_MANIFEST_BYTES);
  },
  decodeLink: decodeManifestFragment
};

Comlink.expose(api);
