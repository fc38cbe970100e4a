import { PyTuple, type PyValue } from './py-literal';

export interface DtypeInfo {
  hasObject: boolean;
  /** Bytes per element, or undefined when the descr could not be understood. */
  itemSize: number | undefined;
}

const FIXED_SIZES: Record<string, number> = {
  '?': 1,
  b: 1,
  B: 1,
  h: 2,
  H: 2,
  i: 4,
  I: 4,
  l: 8,
  L: 8,
  q: 8,
  Q: 8,
  e: 2,
  f: 4,
  d: 8,
  g: 16,
  F: 8,
  D: 16,
  G: 32
};

function simpleDescr(descr: string): DtypeInfo {
  const m = /^[<>|=]?([a-zA-Z?])(\d*)(\[\w+\])?$/.exec(descr);
  if (!m) return { hasObject: descr.includes('O'), itemSize: undefined };
  const [, kind, digits] = m;
  if (kind === 'O') return { hasObject: true, itemSize: 8 };
  const n = digits === '' ? undefined : Number(digits);
  if (kind === 'U') return { hasObject: false, itemSize: n === undefined ? undefined : n * 4 };
  if ('SVabiufcmM'.includes(kind) && n !== undefined) return { hasObject: false, itemSize: n };
  return { hasObject: false, itemSize: FIXED_SIZES[kind] };
}

function product(values: PyValue[]): number | undefined {
  let total = 1;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return undefined;
    total *= v;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Reads a .npy `descr`: a dtype string or a structured list of (name, descr[, shape]) fields. */
export function describeDtype(descr: PyValue, depth = 0): DtypeInfo {
  if (typeof descr === 'string') return simpleDescr(descr);
  if (!Array.isArray(descr) || depth > 16) return { hasObject: false, itemSize: undefined };
  let hasObject = false;
  let itemSize: number | undefined = 0;
  for (const field of descr) {
    if (!(field instanceof PyTuple) || field.items.length < 2) return { hasObject, itemSize: undefined };
    const inner = describeDtype(field.items[1], depth + 1);
    hasObject ||= inner.hasObject;
    const sub = field.items[2];
    const count = sub === undefined ? 1 : sub instanceof PyTuple ? product(sub.items) : product([sub]);
    itemSize =
      itemSize === undefined || inner.itemSize === undefined || count === undefined
        ? undefined
        : itemSize + inner.itemSize * count;
  }
  return { hasObject, itemSize };
}

export function shapeElements(shape: PyValue | undefined): number | undefined {
  return shape instanceof PyTuple ? product(shape.items) : undefined;
}
