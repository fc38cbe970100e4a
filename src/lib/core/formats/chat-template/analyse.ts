import { parse, tokenize } from '@huggingface/jinja';
import type { Severity } from '../../findings';
import {
  DANGEROUS_CALLS,
  GADGET_GLOBALS,
  INTERNALS_IN_TEXT,
  isPythonInternal,
  PYTHON_NAMES
} from './dangerous-names';
import { foldString, showExpression, type JinjaNode } from './expression';

export type TemplateRule =
  | 'chat-template.python-internals'
  | 'chat-template.dangerous-call'
  | 'chat-template.gadget-global'
  | 'chat-template.python-name'
  | 'chat-template.dynamic-attr';

export interface TemplateHit {
  rule: TemplateRule;
  severity: Severity;
  /** What was reached, e.g. `__globals__` or `cycler`. */
  name: string;
  /** The enclosing expression, printed back from the AST. */
  expression: string;
}

export interface TemplateAnalysis {
  parsed: boolean;
  parseError?: string;
  hits: TemplateHit[];
  /** AST nodes visited; the walk stops at MAX_NODES. */
  nodes: number;
  complete: boolean;
}

export const MAX_TEMPLATE_CHARS = 4 * 1024 * 1024;
const MAX_NODES = 2_000_000;

function isNode(v: unknown): v is JinjaNode {
  return typeof v === 'object' && v !== null && typeof (v as JinjaNode).type === 'string';
}

function children(node: JinjaNode): JinjaNode[] {
  const out: JinjaNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'operator' || key === 'type') continue;
    if (Array.isArray(value)) out.push(...value.filter(isNode));
    else if (value instanceof Map) for (const [k, v] of value) out.push(...[k, v].filter(isNode));
    else if (isNode(value)) out.push(value);
  }
  return out;
}

/** Names the template binds itself (set, for, macro): those are its own variables, not runtime globals. */
function localNames(nodes: readonly JinjaNode[]): Set<string> {
  const names = new Set<string>();
  const bind = (target: unknown) => {
    if (!isNode(target)) return;
    if (target.type === 'Identifier') names.add(String(target.value));
    else if (target.type === 'TupleLiteral' || target.type === 'ArrayLiteral')
      (target.value as unknown[]).forEach(bind);
    else if (target.type === 'KeywordArgumentExpression') bind(target.key);
  };
  for (const n of nodes) {
    if (n.type === 'Set' || n.type === 'SetStatement') bind(n.assignee);
    else if (n.type === 'For') bind(n.loopvar);
    else if (n.type === 'Macro') {
      bind(n.name);
      (n.args as unknown[]).forEach(bind);
    } else if (n.type === 'CallStatement') ((n.callerArgs as unknown[] | null) ?? []).forEach(bind);
  }
  return names;
}

export function analyseTemplate(template: string): TemplateAnalysis {
  let program: JinjaNode;
  try {
    program = parse(tokenize(template)) as unknown as JinjaNode;
  } catch (err) {
    return {
      parsed: false,
      parseError: String((err as Error)?.message ?? err),
      hits: textSearch(template),
      nodes: 0,
      complete: false
    };
  }
  const nodes: JinjaNode[] = [];
  const parents = new Map<JinjaNode, JinjaNode>();
  const stack: JinjaNode[] = [program];
  let complete = true;
  while (stack.length > 0) {
    if (nodes.length >= MAX_NODES) {
      complete = false;
      break;
    }
    const node = stack.pop()!;
    nodes.push(node);
    for (const child of children(node)) {
      parents.set(child, node);
      stack.push(child);
    }
  }
  const locals = localNames(nodes);
  const notVariables = new Set<JinjaNode>();
  for (const n of nodes) {
    if (n.type === 'MemberExpression' && !n.computed) notVariables.add(n.property as JinjaNode);
    else if (n.type === 'KeywordArgumentExpression') notVariables.add(n.key as JinjaNode);
    else if (n.type === 'TestExpression') notVariables.add(n.test as JinjaNode);
    else if (n.type === 'FilterExpression' || n.type === 'FilterStatement') {
      const filter = n.filter as JinjaNode;
      notVariables.add(filter.type === 'CallExpression' ? (filter.callee as JinjaNode) : filter);
    } else if (n.type === 'Macro') notVariables.add(n.name as JinjaNode);
  }

  const hits = new Map<string, TemplateHit>();
  const context = (node: JinjaNode): string => {
    let top = node;
    for (let i = 0; i < 8; i++) {
      const up = parents.get(top);
      if (
        !up ||
        !['MemberExpression', 'CallExpression', 'FilterExpression', 'BinaryExpression'].includes(up.type)
      )
        break;
      top = up;
    }
    return showExpression(top);
  };
  const hit = (rule: TemplateRule, severity: Severity, name: string, node: JinjaNode) => {
    const expression = context(node);
    const key = `${rule}\u0000${expression}`;
    if (!hits.has(key)) hits.set(key, { rule, severity, name, expression });
  };
  const folded = new Map<JinjaNode, string | undefined>();

  for (const n of nodes) {
    if (n.type === 'Identifier') {
      const name = String(n.value);
      if (notVariables.has(n) || locals.has(name)) continue;
      if (isPythonInternal(name)) hit('chat-template.python-internals', 'critical', name, n);
      else if (GADGET_GLOBALS.has(name)) hit('chat-template.gadget-global', 'high', name, n);
      else if (PYTHON_NAMES.has(name)) hit('chat-template.python-name', 'high', name, n);
    } else if (n.type === 'MemberExpression' && !n.computed) {
      const name = String((n.property as JinjaNode).value);
      const parent = parents.get(n);
      const called = parent?.type === 'CallExpression' && parent.callee === n;
      if (isPythonInternal(name)) hit('chat-template.python-internals', 'critical', name, n);
      else if ((called && DANGEROUS_CALLS.has(name)) || name === 'environ')
        hit('chat-template.dangerous-call', 'critical', name, n);
    } else if (n.type === 'StringLiteral') {
      if (isPythonInternal(String(n.value)))
        hit('chat-template.python-internals', 'critical', String(n.value), n);
    } else if (
      n.type === 'BinaryExpression' ||
      n.type === 'FilterExpression' ||
      n.type === 'CallExpression'
    ) {
      const value = foldString(n, folded);
      if (value !== undefined && isPythonInternal(value))
        hit('chat-template.python-internals', 'critical', value, n);
      if (n.type === 'FilterExpression') checkAttrFilter(n, folded, hit);
    }
  }
  return { parsed: true, hits: [...hits.values()], nodes: nodes.length, complete };
}

function checkAttrFilter(
  n: JinjaNode,
  folded: Map<JinjaNode, string | undefined>,
  hit: (rule: TemplateRule, severity: Severity, name: string, node: JinjaNode) => void
): void {
  const filter = n.filter as JinjaNode;
  if (filter.type !== 'CallExpression') return;
  const callee = filter.callee as JinjaNode;
  if (callee.type !== 'Identifier' || callee.value !== 'attr') return;
  const arg = (filter.args as JinjaNode[])[0];
  if (arg && foldString(arg, folded) === undefined) hit('chat-template.dynamic-attr', 'high', 'attr', n);
}

/** When the template does not parse: find internals by text, outside `{# comments #}`. */
function textSearch(template: string): TemplateHit[] {
  const text = template.replace(/\{#[\s\S]*?#\}/g, ' ');
  const hits: TemplateHit[] = [];
  const re = new RegExp(INTERNALS_IN_TEXT.source, 'g');
  const seen = new Set<string>();
  for (const m of text.matchAll(re)) {
    if (seen.has(m[1]) || hits.length >= 10) continue;
    seen.add(m[1]);
    const at = m.index ?? 0;
    hits.push({
      rule: 'chat-template.python-internals',
      severity: 'critical',
      name: m[1],
      expression: text.slice(Math.max(0, at - 60), at + m[0].length + 60)
    });
  }
  return hits;
}
