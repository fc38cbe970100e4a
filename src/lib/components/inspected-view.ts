import type { InspectedImport, InspectedPart, InspectedTensor } from '../core/inspected';
import { categoryText, importWords } from './evidence-words';
import { formatBytes } from './format';

export interface Column<T> {
  label: string;
  cell: (row: T) => string;
  mono?: boolean;
  numeric?: boolean;
}

/** Where a part was read: a member's name, or "the file" itself. */
export function partPlace(part: InspectedPart): string {
  return part.path.length > 1 ? part.path.slice(1).join(' › ') : 'the file';
}

export function importName(i: InspectedImport): string {
  if (i.kind === 'extension') return `copyreg extension ${i.name ?? ''}`.trim();
  if (i.kind === 'dynamic') return importWords(i.module ?? undefined, i.name ?? undefined, true);
  return `${i.module}.${i.name}`;
}

export function importSafety(i: InspectedImport): string {
  if (i.level === 'safe') return 'on the safe list';
  if (i.level === 'unknown') return 'not on the safe list';
  const title = categoryText(i.category)?.title;
  return `dangerous (${i.level})${title ? `: ${title.toLowerCase()}` : ''}`;
}

export function importUse(i: InspectedImport): string {
  if (i.called) return 'called while loading';
  if (i.passed) return 'handed to another call';
  return 'imported only';
}

export const IMPORT_COLUMNS: Column<InspectedImport>[] = [
  { label: 'Import', cell: importName, mono: true },
  { label: 'Safety', cell: importSafety },
  { label: 'Use', cell: importUse },
  { label: 'Times', cell: (i) => String(i.count), numeric: true },
  { label: 'First at', cell: (i) => `${i.offset} (${i.opcode})`, mono: true }
];

export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join(' × ');
}

export const TENSOR_COLUMNS: Column<InspectedTensor>[] = [
  { label: 'Name', cell: (t) => t.name, mono: true },
  { label: 'Type', cell: (t) => t.dtype, mono: true },
  { label: 'Shape', cell: (t) => shapeText(t.shape), mono: true },
  { label: 'Start', cell: (t) => String(t.start), numeric: true, mono: true },
  { label: 'End', cell: (t) => (t.end === null ? 'unknown' : String(t.end)), numeric: true, mono: true },
  { label: 'Size', cell: (t) => (t.end === null ? '' : formatBytes(t.end - t.start)), numeric: true }
];

/** The summary line of a part: what it is, where, how many. */
export function partSummary(part: InspectedPart): string {
  const where = partPlace(part);
  const more = (shown: number, total: number) => (total > shown ? ` (first ${shown} listed)` : '');
  switch (part.kind) {
    case 'pickle-imports': {
      const dangerous = part.imports.filter((i) => i.level === 'high' || i.level === 'critical').length;
      const unsafe = part.imports.filter((i) => i.level === 'unknown').length;
      return `Pickle imports in ${where}: ${part.total} name${part.total === 1 ? '' : 's'} — ${dangerous} dangerous, ${unsafe} not on the safe list${more(part.imports.length, part.total)}`;
    }
    case 'tensors':
      return `Tensors in ${where} (${part.format}): ${part.total}${more(part.tensors.length, part.total)}`;
    case 'metadata':
      return `${part.title} of ${where}: ${part.total} entr${part.total === 1 ? 'y' : 'ies'}${more(part.entries.length, part.total)}`;
    case 'layers':
      return `Keras layers in ${where} (${part.source}): ${part.total}${more(part.layers.length, part.total)}`;
    case 'member':
      return `${where} lies at bytes ${part.fileOffset}–${part.fileOffset + part.size - 1} of the file`;
  }
}

export const PAGE_SIZE = 100;

/** Rows [page × size, (page + 1) × size) of those matching the filter. */
export function pageOf<T>(
  rows: readonly T[],
  filter: string,
  text: (row: T) => string,
  page: number,
  size = PAGE_SIZE
): { rows: T[]; matching: number; pages: number; page: number } {
  const needle = filter.trim().toLowerCase();
  const matching = needle ? rows.filter((r) => text(r).toLowerCase().includes(needle)) : rows;
  const pages = Math.max(1, Math.ceil(matching.length / size));
  const at = Math.min(Math.max(0, page), pages - 1);
  return { rows: matching.slice(at * size, (at + 1) * size), matching: matching.length, pages, page: at };
}
