import { ConvertError } from './errors';
import { LongText, PyBytes, PyDict, PyFloat, PyList, PySet, PyTuple, type Value } from './values';

const identities = new WeakMap<object, number>();
let nextIdentity = 1;

function identity(o: object): string {
  let id = identities.get(o);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(o, id);
  }
  return `#${id}`;
}

/**
 * The key a Python dict would file `v` under, as far as equality can be decided without running anything:
 * 1 == 1.0 == True share a slot, equal strings and tuples of those share a slot, other objects hash by
 * identity. Unhashable keys (list, dict, set) make the loader fail, so they fail extraction too.
 */
export function dictKey(v: Value, depth = 0): string {
  if (v === null) return 'N';
  if (typeof v === 'boolean') return v ? 'i:1' : 'i:0';
  if (typeof v === 'number' || typeof v === 'bigint') return `i:${v}`;
  if (typeof v === 'string') return `s:${v}`;
  if (v instanceof PyFloat) return Number.isInteger(v.value) ? `i:${v.value}` : `f:${v.value}`;
  if (v instanceof PyTuple) {
    if (depth > 32) throw new ConvertError('a dict key nests tuples more than 32 deep');
    return `t(${v.items.map((item) => dictKey(item, depth + 1)).join(',')})`;
  }
  if (v instanceof PyList || v instanceof PyDict || v instanceof PySet) {
    throw new ConvertError(`unhashable dict key (${v.kind}): the loader would fail`);
  }
  if (v instanceof PyBytes || v instanceof LongText) return identity(v);
  return identity(v);
}
