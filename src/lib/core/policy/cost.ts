import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * A worst-case step count for one expression on one input document, computed before it runs (the idea of
 * CEL's cost estimation, with the real sizes of the input instead of declared ones). Every node costs a
 * step, operations on strings and lists cost their length, and a comprehension (all, exists, exists_one,
 * map, filter) costs its range's size times its body: nested comprehensions multiply, which is what makes
 * a hostile policy run for hours. An expression over the budget is refused with the position of the
 * comprehension that blew it, and never runs. The time bound (a worker, a timeout) is the backstop for what
 * steps do not measure (a backtracking regular expression).
 */

/** Steps one rule may take; about a second of evaluation in the worst case. */
export const MAX_RULE_COST = 20_000_000;

/**
 * What is known of a value's size: `n` its own length (list, map, string), `deep` a bound on the length of
 * anything inside it, and per-field / per-element shapes where the input shows them.
 */
interface Shape {
  n: number;
  deep: number;
  fields?: Map<string, Shape>;
  elem?: Shape;
}

const SCALAR: Shape = { n: 0, deep: 0 };
const MAX_SHAPE_DEPTH = 32;

function flat(n: number): Shape {
  return { n, deep: n };
}

function merge(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (!a) return b;
  if (!b) return a;
  let fields: Map<string, Shape> | undefined;
  if (a.fields || b.fields) {
    fields = new Map(a.fields);
    for (const [k, v] of b.fields ?? []) fields.set(k, merge(fields.get(k), v)!);
  }
  return {
    n: Math.max(a.n, b.n),
    deep: Math.max(a.deep, b.deep),
    ...(fields ? { fields } : {}),
    ...(a.elem || b.elem ? { elem: merge(a.elem, b.elem) } : {})
  };
}

/** The shape of a JSON-like input value (lists merge their elements' shapes). */
export function shapeOf(value: unknown, depth = 0): Shape {
  if (typeof value === 'string') return flat(value.length);
  if (value === null || typeof value !== 'object') return SCALAR;
  if (depth > MAX_SHAPE_DEPTH) return flat(Number.MAX_SAFE_INTEGER);
  if (Array.isArray(value)) {
    let elem: Shape | undefined;
    for (const x of value) elem = merge(elem, shapeOf(x, depth + 1));
    return { n: value.length, deep: Math.max(value.length, elem?.deep ?? 0), ...(elem ? { elem } : {}) };
  }
  const fields = new Map<string, Shape>();
  let deep = 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    const s = shapeOf(v, depth + 1);
    fields.set(k, s);
    deep = Math.max(deep, s.deep, k.length);
    n++;
  }
  // A map's values are also what a comprehension or an index reaches: their merged shape is its elem.
  let elem: Shape | undefined;
  for (const s of fields.values()) elem = merge(elem, s);
  return { n, deep: Math.max(n, deep), fields, ...(elem ? { elem } : {}) };
}

/** Anything reachable from a value is no larger than its `deep` bound. */
function inside(s: Shape): Shape {
  return flat(s.deep);
}

function field(s: Shape, name: string): Shape {
  return s.fields?.get(name) ?? inside(s);
}

function element(s: Shape): Shape {
  return s.elem ?? inside(s);
}

export interface CostOverrun {
  cost: number;
  /** The smallest part of the expression whose cost alone goes over the budget. */
  start: number;
  end: number;
}

class Estimator {
  overrun: CostOverrun | null = null;

  constructor(
    private readonly budget: number,
    private readonly roots: ReadonlyMap<string, Shape>
  ) {}

  estimate(node: ASTNode, scope: ReadonlyMap<string, Shape>): { cost: number; shape: Shape } {
    const result = this.#node(node, scope);
    if (result.cost > this.budget && !this.overrun) {
      this.overrun = { cost: result.cost, start: node.start, end: node.end };
    }
    return result;
  }

  #all(nodes: readonly ASTNode[], scope: ReadonlyMap<string, Shape>) {
    return nodes.map((n) => this.estimate(n, scope));
  }

  #node(node: ASTNode, scope: ReadonlyMap<string, Shape>): { cost: number; shape: Shape } {
    switch (node.op) {
      case 'value':
        return {
          cost: 1,
          shape:
            typeof node.args === 'string'
              ? flat(node.args.length)
              : node.args instanceof Uint8Array
                ? flat(node.args.length)
                : SCALAR
        };
      case 'id':
        return { cost: 1, shape: scope.get(node.args) ?? this.roots.get(node.args) ?? SCALAR };
      case '.':
      case '.?': {
        const [target, name] = node.args;
        const t = this.estimate(target, scope);
        return { cost: t.cost + 1, shape: field(t.shape, name) };
      }
      case '[]':
      case '[?]': {
        const [target, index] = node.args;
        const t = this.estimate(target, scope);
        const i = this.estimate(index, scope);
        return { cost: t.cost + i.cost + 1, shape: element(t.shape) };
      }
      case 'list': {
        const items = this.#all(node.args, scope);
        let elem: Shape | undefined;
        for (const x of items) elem = merge(elem, x.shape);
        return {
          cost: 1 + sum(items.map((x) => x.cost)),
          shape: {
            n: items.length,
            deep: Math.max(items.length, elem?.deep ?? 0),
            ...(elem ? { elem } : {})
          }
        };
      }
      case 'map': {
        let cost = 1;
        let deep = node.args.length;
        for (const [k, v] of node.args) {
          const a = this.estimate(k, scope);
          const b = this.estimate(v, scope);
          cost += a.cost + b.cost;
          deep = Math.max(deep, a.shape.deep, b.shape.deep);
        }
        return { cost, shape: { n: node.args.length, deep } };
      }
      case '?:': {
        const [c, l, r] = this.#all(node.args, scope);
        return { cost: 1 + c.cost + Math.max(l.cost, r.cost), shape: merge(l.shape, r.shape)! };
      }
      case '!_':
      case '-_': {
        const x = this.estimate(node.args, scope);
        return { cost: x.cost + 1, shape: SCALAR };
      }
      case 'call':
        return this.#call(node.args[0], null, node.args[1], scope);
      case 'rcall':
        return this.#call(node.args[0], node.args[1], node.args[2], scope);
      default: {
        // Binary operators (&&, ||, ==, in, +, <, …): linear in their operands' lengths.
        const [l, r] = this.#all(node.args, scope);
        const cost = 1 + l.cost + r.cost + l.shape.n + r.shape.n;
        if (node.op === '+') {
          const n = l.shape.n + r.shape.n;
          const elem = merge(l.shape.elem, r.shape.elem);
          return {
            cost,
            shape: { n, deep: Math.max(n, l.shape.deep, r.shape.deep), ...(elem ? { elem } : {}) }
          };
        }
        return { cost, shape: SCALAR };
      }
    }
  }

  #call(
    name: string,
    receiver: ASTNode | null,
    args: readonly ASTNode[],
    scope: ReadonlyMap<string, Shape>
  ): { cost: number; shape: Shape } {
    const iterVar = args[0]?.op === 'id' ? args[0].args : null;
    if (receiver && iterVar !== null && COMPREHENSIONS.has(name) && args.length >= 2) {
      const range = this.estimate(receiver, scope);
      const inner = new Map(scope).set(iterVar, element(range.shape));
      const body = this.#all(args.slice(1), inner);
      const cost = range.cost + 1 + times(range.shape.n, 1 + sum(body.map((b) => b.cost)));
      if (name === 'map') {
        const out = body.at(-1)!.shape;
        return {
          cost,
          shape: { n: range.shape.n, deep: Math.max(range.shape.n, out.deep), elem: out }
        };
      }
      if (name === 'filter') return { cost, shape: range.shape };
      return { cost, shape: SCALAR };
    }
    if (receiver?.op === 'id' && receiver.args === 'cel' && name === 'bind' && iterVar !== null) {
      const value = this.estimate(args[1], scope);
      const body = this.estimate(args[2], new Map(scope).set(iterVar, value.shape));
      return { cost: 1 + value.cost + body.cost, shape: body.shape };
    }
    if (name === 'has')
      return { cost: 1 + (args[0] ? this.estimate(args[0], scope).cost : 0), shape: SCALAR };
    const parts = this.#all(receiver ? [receiver, ...args] : args, scope);
    const length = sum(parts.map((p) => p.shape.n));
    const deep = Math.max(0, ...parts.map((p) => p.shape.deep));
    const base = 1 + sum(parts.map((p) => p.cost)) + length;
    if (name === 'matches') {
      // A linear-time match costs text × pattern; backtracking beyond that is left to the time bound.
      const [text, pattern] = parts;
      return { cost: base + times(text?.shape.n ?? 0, Math.max(1, pattern?.shape.n ?? 0)), shape: SCALAR };
    }
    if (name === 'join') {
      const list = parts[0]?.shape;
      const joined = list ? times(list.n, element(list).n + (parts[1]?.shape.n ?? 0)) : 0;
      return { cost: base + joined, shape: flat(joined) };
    }
    if (name === 'split') return { cost: base, shape: { n: length, deep: length, elem: flat(length) } };
    // size(), string(), int(), startsWith(), contains(), lowerAscii()…: no larger than their operands.
    return { cost: base, shape: { n: length, deep: Math.max(length, deep) } };
  }
}

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** An empty range costs nothing, however costly its body (0 × ∞ is 0, not NaN). */
function times(count: number, each: number): number {
  return count === 0 ? 0 : count * each;
}

function sum(list: number[]): number {
  let total = 0;
  for (const x of list) total += x;
  return total;
}

/** The input's variables as shapes; computed once per evaluation and shared by every rule. */
export function inputShapes(input: Record<string, unknown>): Map<string, Shape> {
  return new Map(Object.entries(input).map(([k, v]) => [k, shapeOf(v)]));
}

/** The worst-case step count of an expression on an input, and where it first exceeds `budget`. */
export function estimateCost(
  ast: ASTNode,
  shapes: ReadonlyMap<string, Shape>,
  budget = MAX_RULE_COST
): { cost: number; overrun: CostOverrun | null } {
  const estimator = new Estimator(budget, shapes);
  const { cost } = estimator.estimate(ast, new Map());
  return { cost, overrun: estimator.overrun };
}
