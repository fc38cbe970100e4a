import { shorten } from '../../findings';
import type { FindingInput } from '../types';
import { GGML_TYPES } from './ggml-types';
import type { GgufFile, GgufTensor } from './parse';

const ACCEPTED_BY_SOME =
  'Recent llama.cpp refuses tensors that are not packed in order, but gguf-py and other readers read each tensor at its own offset and accept it.';

function listed(items: readonly string[]): string {
  return shorten(
    items.slice(0, 10).join('\n') + (items.length > 10 ? `\n… ${items.length - 10} more` : ''),
    800
  );
}

function group(
  ruleId: string,
  severity: FindingInput['severity'],
  title: string,
  message: string,
  items: string[],
  offset?: number
): FindingInput[] {
  if (items.length === 0) return [];
  return [
    {
      ruleId,
      severity,
      title,
      message,
      offset,
      evidence: { excerpt: listed(items), details: { count: items.length } }
    }
  ];
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Checks every tensor's extent against the data section: bounds, alignment, overlaps, hidden bytes. */
export function checkTensorLayout(file: GgufFile, fileSize: number): FindingInput[] {
  const unknownType: string[] = [];
  const badShape: string[] = [];
  const misaligned: string[] = [];
  const outside: string[] = [];
  const placed: (GgufTensor & { bytes: number })[] = [];
  for (const t of file.tensors) {
    const label = `${shorten(t.name, 80)} (offset ${t.offset})`;
    if (!GGML_TYPES.has(t.type)) unknownType.push(`${label}: type ${t.type}`);
    else if (t.bytes === undefined)
      badShape.push(
        `${label}: ${GGML_TYPES.get(t.type)?.name} ${JSON.stringify(t.dims.map((d) => (Number.isFinite(d) ? d : '≥2^53')))}`
      );
    else if (t.offset % file.alignment !== 0) misaligned.push(label);
    else if (!(file.dataStart + t.offset + t.bytes <= fileSize))
      outside.push(`${label}: ends at ${file.dataStart + t.offset + t.bytes}, file has ${fileSize} bytes`);
    else placed.push(t as GgufTensor & { bytes: number });
  }
  const refused =
    'llama.cpp refuses this file, so it cannot be loaded as is; the extent of these tensors was not checked.';
  const problems = [
    ...group(
      'gguf.unknown-type',
      'medium',
      'Tensors of unknown type',
      `These tensors use a ggml type this scanner does not know (a newer llama.cpp type, or a malformed file); their size could not be checked.`,
      unknownType
    ),
    ...group(
      'gguf.tensor-shape',
      'medium',
      'Tensor shape does not fit its type',
      `The first dimension is not a multiple of the type's block size, or the size is not representable. ${refused}`,
      badShape
    ),
    ...group(
      'gguf.misaligned',
      'medium',
      'Tensor data is not aligned',
      `Offsets must be multiples of general.alignment (${file.alignment}). ${refused}`,
      misaligned
    ),
    ...group(
      'gguf.out-of-bounds',
      'medium',
      'Tensor data lies past the end of the file',
      `The file is truncated or the offsets are wrong. ${refused}`,
      outside
    )
  ];
  const allPlaced = placed.length === file.tensors.length;
  const overlaps: string[] = [];
  const gaps: string[] = [];
  let cursor = 0;
  let previous: GgufTensor | undefined;
  for (const t of placed.filter((p) => p.bytes > 0).sort((a, b) => a.offset - b.offset)) {
    if (previous && t.offset < cursor)
      overlaps.push(
        `${shorten(previous.name, 60)} [${previous.offset}, ${cursor}) and ${shorten(t.name, 60)} [${t.offset}, ${t.offset + t.bytes})`
      );
    else if (t.offset > alignUp(cursor, file.alignment) && allPlaced)
      gaps.push(`${t.offset - cursor} bytes before ${shorten(t.name, 60)} (data offset ${cursor})`);
    if (t.offset + t.bytes > cursor) {
      cursor = t.offset + t.bytes;
      previous = t;
    }
  }
  const end = file.dataStart + alignUp(cursor, file.alignment);
  // Hidden bytes are only meaningful when every tensor's extent is known.
  if (allPlaced && fileSize > end)
    gaps.push(`${fileSize - end} bytes after the last tensor (file offset ${end})`);
  problems.push(
    ...group(
      'gguf.overlap',
      'high',
      'Tensors overlap',
      `Two tensors share bytes. Writers never produce this; the file was crafted so that one tensor aliases another. ${ACCEPTED_BY_SOME}`,
      overlaps,
      file.dataStart
    ),
    ...group(
      'gguf.hidden-data',
      'high',
      'Bytes that belong to no tensor',
      `Writers pack tensors back to back (with alignment padding), so these bytes are hidden data — for example a second file appended for another tool. ${ACCEPTED_BY_SOME}`,
      gaps,
      file.dataStart
    )
  );
  return problems;
}
