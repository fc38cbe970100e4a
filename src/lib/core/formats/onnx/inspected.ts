import { INSPECT_LIMITS, inspectedText, type InspectedEntry } from '../../inspected';
import type { ScanContext } from '../types';
import { domainKind } from './domains';
import type { OnnxSummary } from './model-walk';

const DOMAIN_WORDS = { standard: 'standard', runtime: 'runtime built-in', custom: 'custom' } as const;

/** The model's header facts, opsets, operator domains (custom ones named), functions and metadata keys. */
export function inspectOnnx(s: OnnxSummary, ctx: ScanContext): void {
  if (!ctx.inspect) return;
  const entries: InspectedEntry[] = [];
  const add = (key: string, value: string | number) =>
    entries.push({ key, value: inspectedText(String(value), INSPECT_LIMITS.maxValue) });
  if (s.irVersion !== undefined) add('IR version', s.irVersion);
  if (s.producerName || s.producerVersion)
    add('Producer', `${s.producerName ?? ''} ${s.producerVersion ?? ''}`.trim());
  for (const o of s.opsets) add(`Opset ${inspectedText(o.domain || 'ai.onnx', 120)}`, o.version);
  add('Nodes', s.nodes);
  add('Initializers', s.initializers);
  const byDomain = new Map<string, { ops: Set<string>; nodes: number }>();
  for (const op of s.operators.values()) {
    const d = byDomain.get(op.domain) ?? { ops: new Set(), nodes: 0 };
    d.ops.add(op.opType);
    d.nodes += op.count;
    byDomain.set(op.domain, d);
  }
  for (const [domain, { ops, nodes }] of byDomain) {
    const kind = DOMAIN_WORDS[domainKind(domain)];
    const listed = [...ops].slice(0, 40).join(', ');
    add(
      `Operators (${kind}) ${inspectedText(domain || 'ai.onnx', 120)}`,
      `${nodes} node${nodes === 1 ? '' : 's'}: ${listed}${ops.size > 40 ? ', …' : ''}`
    );
  }
  for (const f of s.functions.slice(0, 100)) add('Function', `${f.domain || 'ai.onnx'}.${f.name}`);
  const files = new Set(s.externalData.map((r) => r.location));
  if (files.size > 0) add('External data files', [...files].slice(0, 20).join(', '));
  for (const key of s.metadataKeys) add('metadata_props key', key);
  ctx.inspect({
    kind: 'metadata',
    title: 'ONNX model',
    entries: entries.slice(0, INSPECT_LIMITS.maxEntries),
    total: entries.length
  });
}
