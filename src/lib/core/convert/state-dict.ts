import { ConvertError } from './errors';
import { describe, Global, Opaque, PyDict, PyList, PySet, PyTuple, Tensor, type Value } from './values';

export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** Something in the checkpoint that is not a tensor: listed in the report and left out. */
export interface DroppedItem {
  /** Dotted path of the entry ("" for the whole file). */
  path: string;
  what: string;
  /** Imports it was made from (never executed). */
  imports: string[];
  /** Tensors held inside it, which are therefore not converted. */
  tensors: number;
}

/** A tensor that cannot be written faithfully: conversion fails rather than leave it out. */
export interface Refusal {
  name: string;
  reason: string;
}

export interface Flattened {
  tensors: NamedTensor[];
  dropped: DroppedItem[];
  /** Dropped items beyond the listed ones. */
  droppedNotListed: number;
  refused: Refusal[];
}

const MAX_DEPTH = 64;
const MAX_VISITS = 1_000_000;
const MAX_LISTED = 1000;

/**
 * Turns the unpickled object into named tensors the way a state dict is addressed: nested dicts and lists
 * give dotted names ("encoder.layers.0.weight"). Everything else is listed as dropped.
 */
export function flattenStateDict(root: Value, rootName: string): Flattened {
  return new Flattener(rootName).run(root);
}

class Flattener {
  private readonly out: Flattened = { tensors: [], dropped: [], droppedNotListed: 0, refused: [] };
  private readonly names = new Map<string, Tensor>();
  private readonly tensorCounts = new WeakMap<object, number>();
  private readonly onPath = new Set<object>();
  private readonly path: string[] = [];
  private visits = 0;

  constructor(private readonly rootName: string) {}

  run(root: Value): Flattened {
    this.visit(root);
    return this.out;
  }

  /** The dotted name of the entry being visited (the file's stem at the top). */
  private get name(): string {
    return this.path.length === 0 ? this.rootName : this.path.join('.');
  }

  private within(part: string, fn: () => void): void {
    this.path.push(part);
    fn();
    this.path.pop();
  }

  private visit(v: Value): void {
    if (++this.visits > MAX_VISITS) {
      throw new ConvertError(`the checkpoint addresses more than ${MAX_VISITS} entries`);
    }
    if (v instanceof Tensor) return this.emit(v);
    if (v instanceof Opaque) {
      if (v.tensorKind) return this.refuse(`${v.tensorKind}, which safetensors cannot hold`);
      return this.drop(v.what, [...v.imports], v.tensors);
    }
    const isDict = v instanceof PyDict;
    if (!(isDict || v instanceof PyList || v instanceof PyTuple)) return this.dropValue(v);
    if (this.onPath.has(v)) return this.drop('a reference to a container that contains it', [], 0);
    if (this.path.length >= MAX_DEPTH) {
      throw new ConvertError(`the checkpoint nests containers more than ${MAX_DEPTH} deep`);
    }
    if (isDict && isOptimizerState(v)) {
      return this.drop('optimizer state (state and param_groups)', [], this.countTensors(v));
    }
    if (this.countTensors(v) === 0) {
      if (!isEmpty(v)) this.dropValue(v);
      return;
    }
    this.onPath.add(v);
    if (isDict) this.visitDict(v);
    else v.items.forEach((item, i) => this.within(String(i), () => this.visit(item)));
    this.onPath.delete(v);
  }

  private visitDict(d: PyDict): void {
    for (const [key, value] of d.entries.values()) {
      const part = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : undefined;
      if (part === undefined) this.within(`<${describe(key)} key>`, () => this.dropValue(value));
      else this.within(part, () => this.visit(value));
    }
    const attrs = d.attributes;
    // An OrderedDict state dict carries `_metadata` (module versions for load_state_dict): not weights.
    if (attrs instanceof PyDict && [...attrs.entries.keys()].every((k) => k === 's:_metadata')) return;
    if (attrs !== undefined && attrs !== null) this.within('<attributes>', () => this.dropValue(attrs));
  }

  private emit(tensor: Tensor): void {
    const name = this.name;
    if (tensor.tampered) return this.refuse(tensor.tampered);
    const existing = this.names.get(name);
    if (existing) {
      if (existing !== tensor) this.refuse('two different entries flatten to this same name');
      return;
    }
    this.names.set(name, tensor);
    this.out.tensors.push({ name, tensor });
  }

  private refuse(reason: string): void {
    this.out.refused.push({ name: this.name, reason });
  }

  private dropValue(v: Value): void {
    const imports = v instanceof Global ? [v.qualified] : [];
    const tensors = typeof v === 'object' && v !== null ? this.countTensors(v) : 0;
    this.drop(describe(v), imports, tensors);
  }

  private drop(what: string, imports: string[], tensors: number): void {
    if (this.out.dropped.length >= MAX_LISTED) {
      this.out.droppedNotListed++;
      return;
    }
    this.out.dropped.push({ path: this.path.join('.'), what, imports: imports.slice(0, 20), tensors });
  }

  /** Tensors (and tensors of unsupported kinds) reachable inside a value; shared containers counted once. */
  private countTensors(v: Value, depth = 0): number {
    if (v instanceof Tensor) return 1;
    if (v instanceof Opaque) return v.tensorKind ? 1 : 0;
    if (!(v instanceof PyDict || v instanceof PyList || v instanceof PyTuple || v instanceof PySet)) return 0;
    const known = this.tensorCounts.get(v);
    if (known !== undefined) return known;
    if (depth >= MAX_DEPTH)
      throw new ConvertError(`the checkpoint nests containers more than ${MAX_DEPTH} deep`);
    this.tensorCounts.set(v, 0);
    if (++this.visits > MAX_VISITS) {
      throw new ConvertError(`the checkpoint addresses more than ${MAX_VISITS} entries`);
    }
    let n = 0;
    if (v instanceof PyDict)
      for (const [, value] of v.entries.values()) n += this.countTensors(value, depth + 1);
    else for (const item of v.items) n += this.countTensors(item, depth + 1);
    this.tensorCounts.set(v, n);
    return n;
  }
}

function isEmpty(v: PyDict | PyList | PyTuple): boolean {
  return v instanceof PyDict ? v.entries.size === 0 && v.attributes === undefined : v.items.length === 0;
}

function isOptimizerState(d: PyDict): boolean {
  return d.entries.has('s:state') && d.entries.has('s:param_groups');
}
