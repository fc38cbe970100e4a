import type { ByteSource } from '../../bytes/byte-source';
import { memorySource } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import {
  decodeText,
  HIDDEN_PEEK,
  MAX_HIDDEN_TEXT,
  plausiblePickle,
  textEncodingOf,
  type PayloadEncoding
} from '../pickle/hidden';
import { analyseEmbeddedPickle } from '../pickle/machine';
import { reportHiddenStage } from '../pickle/report';
import type { ScanContext } from '../types';
import { Hdf5Error, type Hdf5RootReader } from './hdf5-attributes';
import { walkDatasets, type DatasetBytes } from './hdf5-datasets';

/** Pickles parked in HDF5 datasets: decoded and analysed as hidden stages (see pickle/hidden.ts). */
export async function scanDatasetsForPickles(
  reader: Hdf5RootReader,
  src: ByteSource,
  ctx: ScanContext
): Promise<void> {
  let walk;
  try {
    walk = await walkDatasets(reader);
  } catch (err) {
    if (!(err instanceof Hdf5Error)) throw err;
    ctx.incomplete(
      `The HDF5 groups could not be walked (${shorten(err.message, 160)}), so datasets were not checked for embedded pickles.`,
      err.offset
    );
    return;
  }
  const budget = { stages: 0, skipped: 0 };
  for (const ds of walk.candidates) {
    const head = ds.inline ?? (await src.read(ds.offset, Math.min(ds.length, HIDDEN_PEEK)));
    const encoding = encodingOf(ds, head);
    if (!encoding) continue;
    const found = await analyseEmbeddedPickle(() => open(ds, src, encoding), encoding, ds.length, ds.offset, {
      limits: ctx.limits,
      signal: ctx.signal,
      depth: 1,
      budget
    });
    if (!found) continue;
    const container = `HDF5 dataset ${shorten(ds.path || '/', 120)}`;
    reportHiddenStage(ctx, found.stage, { container });
    for (const deeper of found.deeper) if (deeper.stage) reportHiddenStage(ctx, deeper.stage, { container });
  }
  if (walk.skipped.length > 0) {
    ctx.report({
      ruleId: 'keras.hdf5.unread-datasets',
      severity: 'info',
      title: `${walk.skipped.length} HDF5 dataset(s) or group(s) not checked for embedded pickles`,
      message:
        'These byte or string datasets are chunked or filtered (or their group keeps links in dense storage), so their content was not read. Keras does not unpickle datasets; this only matters for code that would.',
      evidence: { details: { first: shorten(walk.skipped[0], 160), count: walk.skipped.length } }
    });
  }
}

function encodingOf(ds: DatasetBytes, head: Uint8Array): PayloadEncoding | undefined {
  const whole = ds.length <= HIDDEN_PEEK;
  if (plausiblePickle(head, whole)) return 'bytes';
  if (ds.kind !== 'text') return undefined;
  return textEncodingOf(new TextDecoder('latin1').decode(head), whole);
}

async function open(ds: DatasetBytes, src: ByteSource, encoding: PayloadEncoding): Promise<ByteSource> {
  if (encoding === 'bytes') return ds.inline ? memorySource(ds.inline) : src.sub(ds.offset, ds.length);
  if (ds.length > MAX_HIDDEN_TEXT)
    throw new Error(`the text is ${ds.length} bytes, more than the ${MAX_HIDDEN_TEXT} decoded`);
  const raw = ds.inline ?? (await src.read(ds.offset, ds.length));
  const bytes = decodeText(new TextDecoder('latin1').decode(raw).replace(/\0+$/, ''), encoding);
  if (!bytes) throw new Error(`the dataset is not valid ${encoding}`);
  return memorySource(bytes, 'hidden payload');
}
