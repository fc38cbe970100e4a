import type { ByteSource } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { headFields, type HeadField } from '../protobuf/head-fields';
import { WireType } from '../protobuf/wire';
import type { FindingInput, FormatScanner, Probe, ScanContext } from '../types';
import { readTfGraph, type TfOp, type TfSummary } from './graph-walk';
import { CHECKPOINT_OPS, FILE_ACCESS_OPS, PYTHON_OPS, STANDARD_OPS } from './op-lists';

type Details = Record<string, string | number | boolean>;

function nested(probe: Probe, f: HeadField): HeadField[] | undefined {
  if (f.wire !== WireType.len || f.length === 0) return undefined;
  return headFields(probe.head, f.start, Math.min(probe.head.length, f.start + f.length), f.length, 4);
}

/** SavedModel: an optional schema version, then MetaGraphDefs whose first field is meta_info_def or graph_def. */
export function looksLikeSavedModel(probe: Probe): boolean {
  const fields = headFields(probe.head, 0, probe.head.length, probe.size, 4);
  if (!fields || fields.length === 0) return false;
  const rest = fields[0].field === 1 && fields[0].wire === WireType.varint ? fields.slice(1) : fields;
  if (rest.length === 0 || rest[0].field !== 2) return false;
  const inner = nested(probe, rest[0]);
  return (
    !!inner &&
    inner.length > 0 &&
    (inner[0].field === 1 || inner[0].field === 2) &&
    inner[0].wire === WireType.len
  );
}

/** Frozen GraphDef: NodeDefs whose first fields are a name and an op name (printable). */
export function looksLikeGraphDef(probe: Probe): boolean {
  const fields = headFields(probe.head, 0, probe.head.length, probe.size, 4);
  if (!fields || fields.length === 0 || fields[0].field !== 1 || fields[0].wire !== WireType.len)
    return false;
  const node = nested(probe, fields[0]);
  if (!node || node.length < 2 || node[0].field !== 1 || node[1].field !== 2) return false;
  const op = node[1];
  if (
    op.wire !== WireType.len ||
    op.length === 0 ||
    op.length > 128 ||
    op.start + op.length > probe.head.length
  ) {
    return false;
  }
  return /^[A-Za-z_][A-Za-z0-9_>.]*$/.test(
    new TextDecoder().decode(probe.head.subarray(op.start, op.start + op.length))
  );
}

function summaryDetails(s: TfSummary): Details {
  const ops = [...s.ops.keys()].sort();
  const details: Details = { kind: s.kind, nodes: s.nodes, distinctOps: ops.length };
  if (s.kind === 'saved-model') details.metaGraphs = s.metaGraphs;
  if (s.tags.length > 0) details.tags = shorten(s.tags.join(', '), 120);
  if (s.tensorflowVersion) details.tensorflowVersion = shorten(s.tensorflowVersion, 40);
  details.ops = shorten(ops.join(', '), 2000);
  const checkpoint = ops.filter((op) => CHECKPOINT_OPS.has(op));
  if (checkpoint.length > 0) details.checkpointOps = checkpoint.join(', ');
  return details;
}

function opList(ops: TfOp[]): string[] {
  return ops.slice(0, 50).map((o) => shorten(`${o.op} ×${o.count} (first node: ${o.firstNode})`, 160));
}

/** One finding for a group of ops (if any), located at the first, listing them all. */
function reportOps(
  ctx: ScanContext,
  ops: TfOp[],
  details: Details,
  finding: Pick<FindingInput, 'ruleId' | 'severity' | 'title' | 'message'>
): void {
  if (ops.length === 0) return;
  ctx.report({
    ...finding,
    offset: ops[0].at,
    evidence: { opcode: ops[0].op, imports: opList(ops), details }
  });
}

function report(s: TfSummary, ctx: ScanContext): void {
  const details = summaryDetails(s);
  for (const key of ['kind', 'nodes', 'distinctOps', 'tensorflowVersion', 'tags'] as const) {
    if (details[key] !== undefined) ctx.fact(`tensorflow ${key}`, details[key]);
  }
  const all = [...s.ops.values()];
  const python = all.filter((o) => PYTHON_OPS.has(o.op));
  const files = all.filter((o) => FILE_ACCESS_OPS.has(o.op));
  const unknown = all.filter(
    (o) =>
      !PYTHON_OPS.has(o.op) &&
      !FILE_ACCESS_OPS.has(o.op) &&
      !CHECKPOINT_OPS.has(o.op) &&
      !STANDARD_OPS.has(o.op) &&
      !s.functions.has(o.op) &&
      !o.op.startsWith('_')
  );
  reportOps(ctx, python, details, {
    ruleId: 'tensorflow.op.python',
    severity: 'high',
    title: `Python callback ops: ${shorten(python.map((o) => o.op).join(', '), 80)}`,
    message:
      'The graph calls back into Python (tf.py_function / tf.numpy_function). Running it executes whatever Python function the loading process has registered under that token: arbitrary code outside the graph.'
  });
  reportOps(ctx, files, details, {
    ruleId: 'tensorflow.op.file-access',
    severity: 'high',
    title: `File-system ops: ${shorten(files.map((o) => o.op).join(', '), 80)}`,
    message:
      'The graph reads, lists or writes files when it runs (e.g. ReadFile/WriteFile). A model has no reason to touch arbitrary paths: this can leak local files into outputs or plant files on the machine serving it.'
  });
  reportOps(ctx, unknown, details, {
    ruleId: 'tensorflow.op.unknown',
    severity: 'medium',
    title: `${unknown.length} non-standard op${unknown.length === 1 ? '' : 's'}`,
    message:
      'These ops are not standard TensorFlow ops Safeload knows, nor functions of the model. Custom ops come from a native library the user must load: code this file does not show.'
  });
  if (s.error)
    ctx.incomplete(`The TensorFlow protobuf is malformed: ${s.error.message}.`, s.error.offset, { details });
  else if (s.nodes === 0 && s.metaGraphs === 0)
    ctx.incomplete('No graph was found in this TensorFlow file.', 0, { details });
  for (const what of s.skipped) ctx.incomplete(`Not analysed: ${what}.`, undefined, { details });
}

export const tensorflowFormat: FormatScanner = {
  id: 'tensorflow',
  label: 'TensorFlow SavedModel / GraphDef',
  sniff: (probe) =>
    looksLikeSavedModel(probe) ||
    looksLikeGraphDef(probe) ||
    (/(^|\/)saved_model\.pb$/i.test(probe.name) && probe.size > 0),
  async scan(src: ByteSource, ctx: ScanContext, probe: Probe) {
    const kind = looksLikeGraphDef(probe) && !looksLikeSavedModel(probe) ? 'graph-def' : 'saved-model';
    report(await readTfGraph(src, kind), ctx);
  }
};
