import { INSPECT_LIMITS, inspectedText, type InspectedImport } from '../../inspected';
import type { ScanContext } from '../types';
import type { PickleMachine } from './machine';
import { effectiveLevel, type ImportRecord } from './values';

type Import = ImportRecord & { kind: InspectedImport['kind'] };

function listed(rec: Import): InspectedImport {
  // A dynamic import's operands that were not plain strings are written "?" by the machine: unknown.
  const known = (text: string) => (rec.kind === 'dynamic' && text === '?' ? null : inspectedText(text));
  return {
    module: rec.kind === 'extension' ? null : known(rec.module),
    name: known(rec.name),
    kind: rec.kind,
    level: effectiveLevel(rec),
    ...(rec.cls.capability ? { category: rec.cls.capability } : {}),
    offset: rec.offset,
    opcode: rec.opcode,
    count: rec.count,
    called: rec.called,
    passed: rec.passed
  };
}

/** Lists every import the stream makes (not only the flagged ones), in the order they first occur. */
export function inspectPickleImports(m: PickleMachine, ctx: ScanContext): void {
  if (!ctx.inspect) return;
  // Hidden payloads are reported as findings of their own, not as imports.
  const records = [...m.records.values()]
    .filter((r): r is Import => r.kind !== 'payload')
    .sort((a, b) => a.offset - b.offset);
  ctx.inspect({
    kind: 'pickle-imports',
    imports: records.slice(0, INSPECT_LIMITS.maxImports).map(listed),
    total: records.length,
    pickles: m.pickles,
    opcodes: m.opcodes
  });
}
