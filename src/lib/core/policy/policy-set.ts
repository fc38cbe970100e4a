import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { builtinPolicy, BUILTIN_POLICY_NAMES } from './builtin';
import { RULE_SEVERITIES, type PolicyRule, type PolicySet, type RuleSeverity } from './types';
import { invalidPolicySet, isInvalidPolicySet } from './errors';

export const MAX_POLICY_BYTES = 1024 * 1024;
export const MAX_RULES = 500;
export const MAX_ALIAS_COUNT = 100;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

export interface PolicyProblem {
  /** Where in the document: "rules[2].severity". */
  path: string;
  message: string;
  /** 1-based position in the policy file, when known. */
  line?: number;
  column?: number;
}

/** A policy set as loaded from a file, with where each rule's expressions start in that file. */
export interface LoadedPolicySet extends PolicySet {
  expressionAt: Record<string, { line: number; column: number }>;
  configuredAt: Record<string, { line: number; column: number }>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateRule(value: unknown, path: string, problems: PolicyProblem[]): PolicyRule | null {
  if (!isRecord(value)) {
    problems.push({ path, message: 'a rule must be a mapping {id, severity, expression, message}' });
    return null;
  }
  const { id, severity, expression, message, remediation, configured, notConfigured } = value;
  const before = problems.length;
  if (typeof id !== 'string' || !RULE_ID.test(id))
    problems.push({ path: `${path}.id`, message: 'must be a name of letters, digits, . _ / - (up to 100)' });
  if (typeof severity !== 'string' || !(RULE_SEVERITIES as readonly string[]).includes(severity))
    problems.push({ path: `${path}.severity`, message: `must be one of ${RULE_SEVERITIES.join(', ')}` });
  if (typeof expression !== 'string' || expression.trim() === '')
    problems.push({ path: `${path}.expression`, message: 'must be a non-empty CEL expression' });
  if (typeof message !== 'string' || message.trim() === '')
    problems.push({ path: `${path}.message`, message: 'must be a non-empty text' });
  if (remediation !== undefined && typeof remediation !== 'string')
    problems.push({ path: `${path}.remediation`, message: 'must be a text' });
  if (configured !== undefined && (typeof configured !== 'string' || configured.trim() === ''))
    problems.push({ path: `${path}.configured`, message: 'must be a non-empty CEL expression' });
  if (notConfigured !== undefined && typeof notConfigured !== 'string')
    problems.push({ path: `${path}.notConfigured`, message: 'must be a text' });
  if (problems.length > before) return null;
  return {
    id: id as string,
    severity: severity as RuleSeverity,
    expression: expression as string,
    message: message as string,
    ...(remediation !== undefined ? { remediation: remediation as string } : {}),
    ...(configured !== undefined ? { configured: configured as string } : {}),
    ...(notConfigured !== undefined ? { notConfigured: notConfigured as string } : {})
  };
}

/** Applies `extends: safeload/baseline|strict`: built-in rules (minus `disable`), replaced or extended by the file's. */
function resolveExtends(own: PolicySet, base: PolicySet | undefined, disable: string[]): PolicySet {
  if (base === undefined) return own;
  const kept = base.rules.filter((r) => !disable.includes(r.id) && !own.rules.some((o) => o.id === r.id));
  return {
    ...own,
    params: { ...base.params, ...own.params },
    rules: [...kept.map((r) => ({ ...r })), ...own.rules.map((r) => ({ ...r }))]
  };
}

/** Validates a parsed policy document (the shape of the YAML/JSON file). */
export function policySetFromValue(value: unknown, fallbackName = 'policy'): PolicySet {
  const problems: PolicyProblem[] = [];
  if (!isRecord(value)) throw invalidPolicySet([{ path: '$', message: 'a policy set must be a mapping' }]);
  if (value.kind !== undefined && value.kind !== 'PolicySet')
    problems.push({ path: 'kind', message: 'must be PolicySet' });
  const base = value.extends === undefined ? undefined : builtinPolicy(String(value.extends));
  if (value.extends !== undefined && (typeof value.extends !== 'string' || !base))
    problems.push({ path: 'extends', message: `only ${BUILTIN_POLICY_NAMES.join(' or ')} can be extended` });
  const disable = value.disable ?? [];
  if (!Array.isArray(disable) || disable.some((d) => typeof d !== 'string'))
    problems.push({ path: 'disable', message: 'must be a list of rule ids' });
  const params = value.params ?? {};
  if (!isRecord(params)) problems.push({ path: 'params', message: 'must be a mapping' });
  const rawRules = value.rules ?? [];
  if (!Array.isArray(rawRules)) problems.push({ path: 'rules', message: 'must be a list' });
  else if (rawRules.length > MAX_RULES)
    problems.push({ path: 'rules', message: `more than ${MAX_RULES} rules` });
  else if (rawRules.length === 0 && base === undefined)
    problems.push({
      path: 'rules',
      message: 'a policy set needs at least one rule (or extends the built-in set)'
    });
  const rules: PolicyRule[] = [];
  if (Array.isArray(rawRules) && rawRules.length <= MAX_RULES) {
    rawRules.forEach((r, i) => {
      const rule = validateRule(r, `rules[${i}]`, problems);
      if (!rule) return;
      if (rules.some((x) => x.id === rule.id))
        problems.push({ path: `rules[${i}].id`, message: `duplicate id ${rule.id}` });
      else rules.push(rule);
    });
  }
  if (problems.length > 0) throw invalidPolicySet(problems);
  const metaName =
    isRecord(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : undefined;
  const name = typeof value.name === 'string' ? value.name : (metaName ?? fallbackName);
  const own: PolicySet = {
    name: name.slice(0, 200),
    ...(typeof value.description === 'string' ? { description: value.description.slice(0, 2000) } : {}),
    params: params as Record<string, unknown>,
    rules
  };
  return resolveExtends(own, base ?? undefined, disable as string[]);
}

/** Parses a policy file (YAML or JSON); problems carry file lines and columns. */
export function parsePolicySet(text: string, fileName = 'policy'): LoadedPolicySet {
  if (text.length > MAX_POLICY_BYTES)
    throw invalidPolicySet([{ path: '$', message: `policy file larger than ${MAX_POLICY_BYTES} bytes` }]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw invalidPolicySet(
      doc.errors.slice(0, 20).map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { path: '$', message: e.message.split('\n')[0], line: at.line, column: at.col };
      })
    );
  }
  const value = documentValue(doc, lineCounter);
  let set: PolicySet;
  try {
    set = policySetFromValue(value, fileName.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, ''));
  } catch (err) {
    if (!isInvalidPolicySet(err)) throw err;
    throw invalidPolicySet(err.problems.map((p) => ({ ...p, ...positionOfPath(doc, lineCounter, p.path) })));
  }
  const expressionAt: LoadedPolicySet['expressionAt'] = {};
  const configuredAt: LoadedPolicySet['configuredAt'] = {};
  const rules = doc.get('rules', true);
  const count = Array.isArray(value && (value as Record<string, unknown>).rules)
    ? ((value as Record<string, unknown>).rules as unknown[]).length
    : 0;
  for (let i = 0; rules && i < count; i++) {
    const id = doc.getIn(['rules', i, 'id']);
    if (typeof id !== 'string') continue;
    for (const [field, into] of [
      ['expression', expressionAt],
      ['configured', configuredAt]
    ] as const) {
      const node = doc.getIn(['rules', i, field], true);
      if (!isScalar(node) || !node.range) continue;
      const pos = lineCounter.linePos(node.range[0]);
      into[id] = { line: pos.line, column: pos.col };
    }
  }
  return { ...set, expressionAt, configuredAt };
}

/**
 * The document as plain data. `maxAliasCount` stops an alias bomb (aliases of aliases expanding
 * exponentially); the yaml package reports it, and any other expansion failure, as a thrown error, which
 * becomes a positioned problem here instead of escaping to the caller.
 */
function documentValue(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = String((err as Error)?.message ?? err).split('\n')[0];
    let at = 0;
    visit(doc, {
      Alias(_key, node) {
        at = node.range?.[0] ?? 0;
        return visit.BREAK;
      }
    });
    const pos = lineCounter.linePos(at);
    throw invalidPolicySet([
      {
        path: '$',
        message: /alias/i.test(message)
          ? `YAML aliases expand too far (an alias bomb?): ${message}`
          : `the YAML document cannot be read: ${message}`,
        line: pos.line,
        column: pos.col
      }
    ]);
  }
}

function positionOfPath(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: string
): { line?: number; column?: number } {
  const keys = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((k) => k && k !== '$')
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  for (let n = keys.length; n > 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}
