import {
  BASELINE_POLICY_NAME,
  checkPolicySet,
  DEFAULT_ALLOWED_LICENSES,
  parsePolicySet,
  type ExpressionError,
  type LoadedPolicySet
} from '../core/policy';
import { isInvalidPolicySet } from '../core/policy/errors';

export const POLICY_STORAGE_KEY = 'safeload.active-policy';

/** The starting point of the editor: the baseline, with the parameters that configure its requirements. */
export const DEFAULT_POLICY_TEXT = `kind: PolicySet
name: my-model-gate
extends: ${BASELINE_POLICY_NAME}
# Built-in rules to switch off, e.g. [loaders-audited]
disable: []
params:
  # Each requirement below is "not configured" until it is set here.
  approvedSigners: []
  # - identity: https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main
  #   issuer: https://token.actions.githubusercontent.com
  allowedLicenses: []
  # allowedLicenses: [${DEFAULT_ALLOWED_LICENSES.join(', ')}]
  requirePinnedProvenance: false
rules: []
# - id: safetensors-only
#   severity: deny
#   expression: model.files.all(f, f.format != "pytorch-zip")
#   message: Only safetensors weights are accepted.
#   remediation: Export the weights to safetensors.
`;

/** A problem shown in the editor, positioned in the policy text (1-based). */
export interface EditorProblem {
  line: number;
  column: number;
  message: string;
  /** The rule whose expression is wrong, for expression errors. */
  ruleId: string | null;
  /** For expression errors: the expression line with a caret under the problem. */
  excerpt: string | null;
}

export interface CheckedPolicy {
  set: LoadedPolicySet | null;
  problems: EditorProblem[];
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

function positionOfOffset(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/**
 * Where an expression error falls in the policy file. The expression starts at `at` (the YAML scalar:
 * plain, quoted or a block), so the erroneous expression line is looked up from there; when the
 * scalar was rewritten (escapes, folding) and the line is not found, the scalar's start is used.
 */
export function locateExpressionError(
  text: string,
  at: { line: number; column: number },
  expression: string,
  error: Pick<ExpressionError, 'line' | 'column'>
): { line: number; column: number } {
  const start = offsetOf(text, at.line, at.column);
  const lines = expression.split('\n');
  let index = Math.min(error.line, lines.length) - 1;
  let column = error.column;
  // An error at the end of the expression (on its trailing empty line): point after the last text.
  while (index > 0 && lines[index].trim() === '') {
    index--;
    column = lines[index].length + 1;
  }
  const exprLine = lines[index] ?? '';
  const trimmed = exprLine.trimStart();
  const indent = exprLine.length - trimmed.length;
  const found = trimmed ? text.indexOf(trimmed, start) : -1;
  if (found < 0) return at;
  return positionOfOffset(text, found + Math.min(trimmed.length, Math.max(0, column - 1 - indent)));
}

/** Parses the editor text and compiles every expression; problems carry positions in the text. */
export function checkPolicyText(text: string): CheckedPolicy {
  let set: LoadedPolicySet;
  try {
    set = parsePolicySet(text, 'policy.yaml');
  } catch (err) {
    if (!isInvalidPolicySet(err)) throw err;
    return {
      set: null,
      problems: err.problems.map((p) => ({
        line: p.line ?? 1,
        column: p.column ?? 1,
        message: `${p.path === '$' ? '' : `${p.path}: `}${p.message}`,
        ruleId: null,
        excerpt: null
      }))
    };
  }
  const problems = checkPolicySet(set).map(({ id, field, error }) => {
    const at = (field === 'configured' ? set.configuredAt : set.expressionAt)[id];
    const rule = set.rules.find((r) => r.id === id)!;
    // A built-in rule has no position in this text; its errors cannot happen, but stay visible if they do.
    const pos = at ? locateExpressionError(text, at, rule[field] ?? '', error) : { line: 1, column: 1 };
    return {
      ...pos,
      message: `rule ${id}: ${error.message}`,
      ruleId: id,
      excerpt: error.excerpt
    };
  });
  return { set, problems };
}
