/** The @huggingface/jinja AST seen structurally: every node has a `type` and type-specific fields. */
export interface JinjaNode {
  type: string;
  [field: string]: unknown;
}

const MAX_SHOWN_DEPTH = 12;
const MAX_FOLDED_CHARS = 1000;
const MAX_FOLD_DEPTH = 2000;

function list(nodes: unknown, depth: number): string {
  return ((nodes as JinjaNode[]) ?? []).map((a) => show(a, depth + 1)).join(', ');
}

function show(node: JinjaNode | undefined, depth: number): string {
  if (!node) return '';
  if (depth > MAX_SHOWN_DEPTH) return '…';
  const d = depth + 1;
  switch (node.type) {
    case 'Identifier':
      return String(node.value);
    case 'StringLiteral':
      return JSON.stringify(node.value).replace(/^"|"$/g, "'");
    case 'IntegerLiteral':
    case 'FloatLiteral':
      return String(node.value);
    case 'MemberExpression': {
      const object = show(node.object as JinjaNode, d);
      const property = show(node.property as JinjaNode, d);
      return node.computed ? `${object}[${property}]` : `${object}.${property}`;
    }
    case 'CallExpression':
      return `${show(node.callee as JinjaNode, d)}(${list(node.args, d)})`;
    case 'FilterExpression':
      return `${show(node.operand as JinjaNode, d)}|${show(node.filter as JinjaNode, d)}`;
    case 'BinaryExpression':
      return `${show(node.left as JinjaNode, d)} ${(node.operator as { value: string }).value} ${show(node.right as JinjaNode, d)}`;
    case 'ArrayLiteral':
      return `[${list(node.value, d)}]`;
    case 'TupleLiteral':
      return `(${list(node.value, d)})`;
    case 'KeywordArgumentExpression':
      return `${show(node.key as JinjaNode, d)}=${show(node.value as JinjaNode, d)}`;
    default:
      return '…';
  }
}

/** Prints an expression back as Jinja-like text, for evidence. */
export function showExpression(node: JinjaNode): string {
  return show(node, 0);
}

type Memo = Map<JinjaNode, string | undefined>;

const STRING_FILTERS: Record<string, (s: string) => string> = {
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  trim: (s) => s.trim(),
  reverse: (s) => [...s].reverse().join('')
};

function foldList(items: unknown, memo: Memo, depth: number): string[] | undefined {
  const parts = ((items as JinjaNode[]) ?? []).map((i) => foldString(i, memo, depth));
  return parts.every((p) => p !== undefined) ? parts : undefined;
}

function join(node: JinjaNode | undefined, separator: string, memo: Memo, depth: number): string | undefined {
  if (!node || (node.type !== 'ArrayLiteral' && node.type !== 'TupleLiteral')) return undefined;
  return foldList(node.value, memo, depth)?.join(separator);
}

function compute(node: JinjaNode, memo: Memo, depth: number): string | undefined {
  switch (node.type) {
    case 'StringLiteral':
      return String(node.value);
    case 'BinaryExpression': {
      const op = (node.operator as { value: string }).value;
      if (op !== '+' && op !== '~') return undefined;
      const left = foldString(node.left as JinjaNode, memo, depth);
      const right = left === undefined ? undefined : foldString(node.right as JinjaNode, memo, depth);
      return left === undefined || right === undefined ? undefined : left + right;
    }
    case 'FilterExpression': {
      const filter = node.filter as JinjaNode;
      const name = filter.type === 'CallExpression' ? (filter.callee as JinjaNode).value : filter.value;
      if (name === 'join') {
        const args = filter.type === 'CallExpression' ? (filter.args as JinjaNode[]) : [];
        const separator = args[0] ? foldString(args[0], memo, depth) : '';
        return separator === undefined ? undefined : join(node.operand as JinjaNode, separator, memo, depth);
      }
      const operand = foldString(node.operand as JinjaNode, memo, depth);
      const fn =
        typeof name === 'string' && Object.hasOwn(STRING_FILTERS, name) ? STRING_FILTERS[name] : undefined;
      return operand !== undefined && fn ? fn(operand) : undefined;
    }
    case 'CallExpression': {
      // 'sep'.join([...])
      const callee = node.callee as JinjaNode;
      if (callee.type !== 'MemberExpression' || callee.computed) return undefined;
      if ((callee.property as JinjaNode).value !== 'join') return undefined;
      const separator = foldString(callee.object as JinjaNode, memo, depth);
      return separator === undefined
        ? undefined
        : join((node.args as JinjaNode[])[0], separator, memo, depth);
    }
    default:
      return undefined;
  }
}

/** The constant string an expression evaluates to when it is built only from literals, else undefined. */
export function foldString(node: JinjaNode, memo: Memo, depth = 0): string | undefined {
  if (memo.has(node)) return memo.get(node);
  if (depth > MAX_FOLD_DEPTH) return undefined;
  memo.set(node, undefined); // guards against cycles while computing
  const value = compute(node, memo, depth + 1);
  const bounded = value !== undefined && value.length <= MAX_FOLDED_CHARS ? value : undefined;
  memo.set(node, bounded);
  return bounded;
}
