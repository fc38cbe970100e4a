import type { ByteSource } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { headFields } from '../protobuf/head-fields';
import { WireType } from '../protobuf/wire';
import type { FormatScanner, Probe, ScanContext } from '../types';
import { domainKind } from './domains';
import { locationProblem, type ExternalReference } from './external-data';
import { inspectOnnx } from './inspected';
import { readOnnxModel, type OnnxSummary } from './model-walk';

const MODEL_FIELDS: Record<number, number> = {
  1: WireType.varint,
  2: WireType.len,
  3: WireType.len,
  4: WireType.len,
  5: WireType.varint,
  6: WireType.len,
  7: WireType.len,
  8: WireType.len,
  14: WireType.len,
  20: WireType.len,
  25: WireType.len
};

/** A ModelProto as onnx writes it: ir_version first, every field a ModelProto field, and a graph or opset. */
export function looksLikeOnnx(probe: Probe): boolean {
  const fields = headFields(probe.head, 0, probe.head.length, probe.size);
  if (!fields || fields.length === 0) return false;
  const first = fields[0];
  if (first.field !== 1 || first.wire !== WireType.varint || first.value < 1 || first.value > 64)
    return false;
  if (!fields.every((f) => MODEL_FIELDS[f.field] === f.wire)) return false;
  return fields.some((f) => f.field === 7 || f.field === 8);
}

function modelDetails(s: OnnxSummary): Record<string, string | number | boolean> {
  const details: Record<string, string | number | boolean> = {
    nodes: s.nodes,
    initializers: s.initializers
  };
  if (s.irVersion !== undefined) details.irVersion = s.irVersion;
  if (s.producerName) details.producer = shorten(`${s.producerName} ${s.producerVersion ?? ''}`.trim(), 120);
  if (s.opsets.length > 0) {
    details.opsets = shorten(s.opsets.map((o) => `${o.domain || 'ai.onnx'}:${o.version}`).join(', '), 300);
  }
  return details;
}

function refText(ref: ExternalReference): string {
  const range = ref.offset || ref.length ? ` @${ref.offset ?? 0}+${ref.length ?? '?'}` : '';
  return `${shorten(ref.tensor, 80)} -> ${shorten(ref.location, 160)}${range}`;
}

function reportExternalData(
  s: OnnxSummary,
  ctx: ScanContext,
  details: Record<string, string | number | boolean>
) {
  const escaping = s.externalData.filter((ref) => locationProblem(ref.location));
  for (const ref of escaping.slice(0, 50)) {
    const problem = locationProblem(ref.location);
    ctx.report({
      ruleId: 'onnx.external-data.traversal',
      severity: 'high',
      title: 'External tensor data points outside the model folder',
      message: `Tensor "${shorten(ref.tensor, 80)}" takes its bytes from "${shorten(ref.location, 160)}" (${problem === 'parent' ? 'climbs out with ..' : problem === 'empty' ? 'empty location' : problem === 'url' ? 'a URL' : 'an absolute path'}). Loading the model makes the runtime read that file as weights: a way to pull local files (keys, /etc/passwd) into tensors that outputs can leak.`,
      offset: ref.at,
      evidence: {
        name: shorten(ref.location, 200),
        details: { ...details, tensor: shorten(ref.tensor, 120) }
      }
    });
  }
  const inside = s.externalData.filter((ref) => !locationProblem(ref.location));
  if (inside.length > 0) {
    const files = [...new Set(inside.map((ref) => ref.location))];
    ctx.report({
      ruleId: 'onnx.external-data',
      severity: 'info',
      title: `Weights stored in ${files.length} external file${files.length === 1 ? '' : 's'}`,
      message: `${inside.length} tensor${inside.length === 1 ? '' : 's'} load their bytes from files next to the model (${shorten(files.join(', '), 200)}). Those files are not part of this one and must be checked (and present) too.`,
      offset: inside[0].at,
      evidence: {
        excerpt: inside.slice(0, 20).map(refText).join('\n'),
        details: { ...details, files: files.length }
      }
    });
  }
}

function reportOperators(
  s: OnnxSummary,
  ctx: ScanContext,
  details: Record<string, string | number | boolean>
) {
  const functionKeys = new Set(s.functions.map((f) => `${f.domain}\u0000${f.name}`));
  const byDomain = new Map<string, { ops: string[]; at: number; count: number }>();
  for (const [key, op] of s.operators) {
    if (domainKind(op.domain) === 'standard' || functionKeys.has(key)) continue;
    const entry = byDomain.get(op.domain) ?? { ops: [], at: op.at, count: 0 };
    entry.ops.push(op.opType);
    entry.count += op.count;
    byDomain.set(op.domain, entry);
  }
  for (const [domain, { ops, at, count }] of byDomain) {
    const runtime = domainKind(domain) === 'runtime';
    ctx.report({
      ruleId: runtime ? 'onnx.operator.runtime-domain' : 'onnx.operator.custom-domain',
      severity: runtime ? 'low' : 'medium',
      title: runtime
        ? `Runtime-specific operators (${shorten(domain, 60)})`
        : `Custom operators from domain "${shorten(domain, 60)}"`,
      message: runtime
        ? `${count} node${count === 1 ? '' : 's'} use operators of a known runtime's built-in domain: they run only on that runtime, but no extra library is loaded for them.`
        : `${count} node${count === 1 ? '' : 's'} use operators no standard ONNX runtime implements. Running the model needs a custom-op library registered by the user: native code whose behaviour this file does not show.`,
      offset: at,
      evidence: {
        name: shorten(domain, 120),
        imports: ops.slice(0, 50).map((op) => shorten(`${domain}.${op}`, 120)),
        details
      }
    });
  }
  if (s.functions.length > 0) {
    ctx.report({
      ruleId: 'onnx.function',
      severity: 'medium',
      title: `${s.functions.length} model-local function${s.functions.length === 1 ? '' : 's'}`,
      message:
        'The model defines its own functions (operator bodies shipped in the file). They are ordinary ONNX graphs, but they redefine what an operator name means and are worth reviewing.',
      offset: s.functions[0].at,
      evidence: {
        imports: s.functions.slice(0, 50).map((f) => shorten(`${f.domain || 'ai.onnx'}.${f.name}`, 120)),
        details
      }
    });
  }
}

export const onnxFormat: FormatScanner = {
  id: 'onnx',
  label: 'ONNX model',
  sniff: (probe) => looksLikeOnnx(probe) || (/\.onnx$/i.test(probe.name) && probe.size > 0),
  async scan(src: ByteSource, ctx: ScanContext) {
    const s = await readOnnxModel(src);
    const details = modelDetails(s);
    inspectOnnx(s, ctx);
    for (const [key, value] of Object.entries(details)) ctx.fact(`onnx ${key}`, value);
    for (const ref of s.externalData) {
      if (locationProblem(ref.location)) continue;
      const expect: Record<string, string | number> = { tensor: shorten(ref.tensor, 200) };
      if (ref.offset) expect.offset = ref.offset;
      if (ref.length) expect.length = ref.length;
      ctx.reference({ kind: 'external-data', target: ref.location, expect });
    }
    reportExternalData(s, ctx, details);
    reportOperators(s, ctx, details);
    if (s.error)
      ctx.incomplete(`The ONNX protobuf is malformed: ${s.error.message}.`, s.error.offset, { details });
    else if (!s.hasGraph)
      ctx.incomplete('This file is named like an ONNX model but holds no graph.', 0, { details });
    for (const what of s.skipped) ctx.incomplete(`Not analysed: ${what}.`, undefined, { details });
  }
};
