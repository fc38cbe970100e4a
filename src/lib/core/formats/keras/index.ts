import type { ByteSource } from '../../bytes/byte-source';
import { readAll } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import type { FormatScanner, Probe, ScanContext } from '../types';
import { Hdf5Error, Hdf5RootReader, hasHdf5Signature } from './hdf5-attributes';
import { scanDatasetsForPickles } from './hdf5-hidden';
import { MAX_CONFIG_BYTES, reportKerasConfigText } from './report';

/** Root attributes that hold JSON Keras deserialises (model_config) or reads (training_config). */
const CONFIG_ATTRIBUTES = ['model_config', 'training_config'];

export function hdf5SuperblockAt(head: Uint8Array): number {
  for (let at = 0; at + 8 <= head.length; at = at === 0 ? 512 : at * 2) {
    if (hasHdf5Signature(head, at)) return at;
  }
  return -1;
}

async function scanKerasH5(src: ByteSource, ctx: ScanContext): Promise<void> {
  let root;
  const reader = new Hdf5RootReader(src, MAX_CONFIG_BYTES);
  try {
    root = await reader.rootAttributes();
  } catch (err) {
    if (!(err instanceof Hdf5Error)) throw err;
    ctx.incomplete(
      `The HDF5 structure could not be read: ${err.message}, so any Keras config in it was not checked.`,
      err.offset
    );
    return;
  }
  if (root.declaredEnd !== undefined && root.declaredEnd > src.size) {
    ctx.incomplete(
      `The HDF5 file is truncated: its superblock says it ends at byte ${root.declaredEnd}, but it has ${src.size} bytes, so weights or groups past the cut were never there to check.`
    );
  }
  const byName = new Map(root.attributes.map((a) => [a.name, a]));
  const version = byName.get('keras_version')?.value;
  const backend = byName.get('backend')?.value;
  const details: Record<string, string | number | boolean> = { hdf5Superblock: root.superblockVersion };
  if (version) {
    details.kerasVersion = shorten(version, 40);
    ctx.fact('keras version', shorten(version, 40));
  }
  if (backend) details.backend = shorten(backend, 40);
  for (const name of CONFIG_ATTRIBUTES) {
    const attr = byName.get(name);
    if (!attr) continue;
    if (attr.value === undefined) {
      ctx.incomplete(
        `The Keras ${name} attribute was not read (${attr.skipped ?? 'no value'}).`,
        attr.offset,
        { details }
      );
      continue;
    }
    reportKerasConfigText(attr.value, ctx, {
      source: `HDF5 attribute ${name}`,
      offset: attr.offset,
      details
    });
  }
  await scanDatasetsForPickles(reader, src, ctx);
  if (root.denseStorage && !byName.has('model_config')) {
    ctx.incomplete(
      'The root group keeps its attributes in dense storage (a fractal heap), which Safeload does not read yet; a Keras model_config there was not checked.',
      undefined,
      { details }
    );
  }
}

export const kerasH5Format: FormatScanner = {
  id: 'keras-h5',
  label: 'Keras HDF5 model',
  sniff: (probe) => hdf5SuperblockAt(probe.head) >= 0,
  scan: scanKerasH5
};

/** A Keras model config as JSON: `{"class_name": …, "config": …}` or a `.keras` archive's config.json. */
export function looksLikeKerasJson(probe: Probe): boolean {
  if (probe.size > MAX_CONFIG_BYTES) return false;
  const text = new TextDecoder().decode(probe.head.subarray(0, 4096)).trimStart();
  if (!text.startsWith('{')) return false;
  return /"class_name"\s*:/.test(text) && /"config"\s*:/.test(text);
}

export const kerasJsonFormat: FormatScanner = {
  id: 'keras-config',
  label: 'Keras model config (JSON)',
  sniff: looksLikeKerasJson,
  async scan(src: ByteSource, ctx: ScanContext, probe: Probe) {
    const text = new TextDecoder().decode(await readAll(src));
    reportKerasConfigText(text, ctx, {
      source: shorten(probe.name.split('/').pop() ?? 'config', 80),
      offset: 0
    });
  }
};

export { kerasSavedMetadataFormat } from './saved-metadata';
