import { INSPECT_LIMITS, inspectedText, type InspectedImport } from '../../inspected';
import type { ScanContext } from '../types';
import type { PickleMachine } from './machine';
import type { ImportRecord } from './values';

function listed(rec: ImportRecord): InspectedImport {
  // A dynamic import's operands that were not plain strings are written "?" by the machine: unknown.
  const known = (text: string) => (rec.kind === 'dynamic' && text === '?' ? null : inspectedText(text));
  return {
    module: rec.kind === 'extension' ? null : known(rec.module),
    name: known(rec.name),
    kind: rec.kind,
    level: rec.cls.level,
    ...(rec.cls.category ? { category: rec.cls.category } : {}),
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
  const records = [...m.records.values()].sort((a, b) => a.offset - b.offset);
  ctx.inspect({
    kind: 'pickle-imports',
    imports: records.slice(0, INSPECT_LIMITS.maxImports).map(listed),
    total: records.length,
    pickles: m.pickles,
    opcodes: m.opcodes
  });
}
