import type { ByteSource } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { scanPickleStream } from '../pickle';
import type { FormatScanner, ScanContext } from '../types';
import { describeDtype, shapeElements } from './dtype';
import { LiteralError, parsePyLiteral, PyDict } from './py-literal';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy.load refuses headers above 10 000 bytes unless told otherwise; we read at most this much. */
const MAX_HEADER = 1024 * 1024;
const NUMPY_HEADER_LIMIT = 10_000;

export function isNpy(head: Uint8Array): boolean {
  return head.length >= 8 && MAGIC.every((b, i) => head[i] === b);
}

export const numpyFormat: FormatScanner = {
  id: 'numpy',
  label: 'NumPy array (.npy)',
  sniff: (probe) => isNpy(probe.head),
  scan: scanNpy
};

interface NpyHeader {
  version: string;
  dataOffset: number;
  fields: PyDict;
}

async function readHeader(src: ByteSource, ctx: ScanContext): Promise<NpyHeader | undefined> {
  const pre = await src.read(0, 12);
  const major = pre[6];
  const minor = pre[7];
  if (major < 1 || major > 3) {
    ctx.incomplete(
      `Unknown .npy format version ${major}.${minor}; numpy.load refuses it and it was not analysed.`,
      6
    );
    return undefined;
  }
  const lengthBytes = major === 1 ? 2 : 4;
  if (pre.length < 8 + lengthBytes) {
    ctx.incomplete('The .npy header is truncated.', 8);
    return undefined;
  }
  const headerLength =
    major === 1 ? pre[8] | (pre[9] << 8) : (pre[8] | (pre[9] << 8) | (pre[10] << 16)) + pre[11] * 0x1000000;
  const start = 8 + lengthBytes;
  if (headerLength > MAX_HEADER || start + headerLength > src.size) {
    ctx.incomplete(
      `The .npy header claims ${headerLength} bytes, more than the file or the ${MAX_HEADER}-byte limit.`,
      8
    );
    return undefined;
  }
  if (headerLength > NUMPY_HEADER_LIMIT) {
    ctx.report({
      ruleId: 'numpy.large-header',
      severity: 'low',
      title: 'Unusually large .npy header',
      message: `The header is ${headerLength} bytes; numpy.load refuses headers over ${NUMPY_HEADER_LIMIT} bytes unless allow_pickle=True or max_header_size is raised.`,
      offset: 8
    });
  }
  const bytes = await src.read(start, headerLength);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes);
  try {
    const fields = parsePyLiteral(text);
    if (!(fields instanceof PyDict)) throw new LiteralError('the header is not a dict');
    return { version: `${major}.${minor}`, dataOffset: start + headerLength, fields };
  } catch (err) {
    if (!(err instanceof LiteralError)) throw err;
    ctx.incomplete(
      `The .npy header is not a valid literal (${err.message}); numpy.load would refuse it.`,
      start,
      {
        excerpt: shorten(text, 200)
      }
    );
    return undefined;
  }
}

async function scanNpy(src: ByteSource, ctx: ScanContext): Promise<void> {
  const header = await readHeader(src, ctx);
  if (!header) return;
  const descr = header.fields.entries.get('descr');
  const shape = header.fields.entries.get('shape');
  if (descr === undefined || shape === undefined) {
    ctx.incomplete(
      'The .npy header lacks "descr" or "shape"; numpy.load would refuse it.',
      header.dataOffset
    );
    return;
  }
  const dtype = describeDtype(descr);
  ctx.fact('npy version', header.version);
  if (dtype.hasObject) {
    ctx.report({
      ruleId: 'numpy.object-array',
      severity: 'medium',
      title: 'Array of Python objects (stored as a pickle)',
      message:
        'This array holds Python objects, which NumPy stores as a pickle. numpy.load refuses it by default (allow_pickle=False); with allow_pickle=True the pickle runs, so its contents decide the risk (analysed below).',
      offset: header.dataOffset,
      evidence: { details: { descr: shorten(JSON.stringify(descr), 200) } }
    });
    await scanPickleStream(src, ctx, { start: header.dataOffset });
    return;
  }
  await checkDataLength(src, ctx, header, dtype.itemSize, shapeElements(shape));
}

async function checkDataLength(
  src: ByteSource,
  ctx: ScanContext,
  header: NpyHeader,
  itemSize: number | undefined,
  elements: number | undefined
): Promise<void> {
  const actual = src.size - header.dataOffset;
  const expected = itemSize === undefined || elements === undefined ? undefined : itemSize * elements;
  if (expected === undefined) {
    ctx.incomplete(
      'The array dtype or shape in the .npy header is not understood, so its size was not checked.',
      8
    );
    return;
  }
  if (expected === actual) return;
  ctx.report({
    ruleId: 'numpy.size-mismatch',
    severity: 'medium',
    title: 'Array data does not match its header',
    message: `The header promises ${expected} bytes of data but the file holds ${actual}. ${actual < expected ? 'numpy.load fails on it (truncated or tampered).' : 'numpy.load ignores the extra bytes, which are analysed separately.'}`,
    offset: header.dataOffset,
    evidence: { details: { expected, actual } }
  });
  if (actual > expected) {
    const extraStart = header.dataOffset + expected;
    await ctx.scanNested(
      src.sub(extraStart, src.size - extraStart),
      `bytes after the array (offset ${extraStart})`
    );
  }
}
