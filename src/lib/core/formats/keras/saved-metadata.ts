import type { ByteSource } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { headFields } from '../protobuf/head-fields';
import { ProtoError, ProtoReader, WireType, type ProtoRange } from '../protobuf/wire';
import type { FormatScanner, Probe, ScanContext } from '../types';
import { MAX_CONFIG_BYTES, reportKerasConfigText } from './report';

/*
 * keras_metadata.pb (TF 2.5+ SavedModels saved by Keras): SavedMetadata { repeated SavedObject nodes = 1 },
 * SavedObject { node_id = 2, node_path = 3, identifier = 4, metadata = 5 (JSON), version = 6 }. Keras rebuilds
 * layers from this JSON on tf.keras.models.load_model, Lambda bytecode included.
 */

export function looksLikeKerasMetadata(probe: Probe): boolean {
  const top = headFields(probe.head, 0, probe.head.length, probe.size, 2);
  if (!top || top.length === 0 || top[0].field !== 1 || top[0].wire !== WireType.len) return false;
  const f = top[0];
  const inner = headFields(probe.head, f.start, Math.min(probe.head.length, f.start + f.length), f.length, 4);
  const id = inner?.find((x) => x.field === 4 && x.wire === WireType.len && x.whole);
  if (!id) return false;
  return new TextDecoder()
    .decode(probe.head.subarray(id.start, id.start + id.length))
    .startsWith('_tf_keras');
}

async function nodeMetadata(
  r: ProtoReader,
  range: ProtoRange,
  ctx: ScanContext,
  seen: Set<string>
): Promise<void> {
  let path = '';
  for await (const f of r.fields(range)) {
    if (f.wire !== WireType.len) continue;
    if (f.field === 3) path = await r.string(f, 256);
    else if (f.field === 5) {
      if (f.length > MAX_CONFIG_BYTES) {
        ctx.incomplete(`Keras metadata of ${f.length} bytes was not checked.`, f.start);
        continue;
      }
      const text = new TextDecoder().decode(await r.bytes(f, MAX_CONFIG_BYTES));
      reportKerasConfigText(text, ctx, {
        source: `keras_metadata node ${shorten(path, 80)}`,
        offset: f.start,
        details: { node: shorten(path, 120) },
        seen
      });
    }
  }
}

export const kerasSavedMetadataFormat: FormatScanner = {
  id: 'keras-metadata',
  label: 'Keras SavedModel metadata',
  sniff: looksLikeKerasMetadata,
  async scan(src: ByteSource, ctx: ScanContext) {
    const r = new ProtoReader(src);
    const root = r.root();
    const seen = new Set<string>();
    try {
      for await (const f of r.fields(root)) {
        if (f.field === 1 && f.wire === WireType.len) await nodeMetadata(r, r.child(f, root), ctx, seen);
      }
    } catch (err) {
      if (!(err instanceof ProtoError)) throw err;
      ctx.incomplete(`The Keras metadata protobuf is malformed: ${err.message}.`, err.offset);
    }
  }
};
