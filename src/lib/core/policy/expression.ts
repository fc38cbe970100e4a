import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { estimateCost, inputShapes, MAX_RULE_COST } from './cost';
import type { ExpressionError } from './types';
import { PolicyError } from './errors';

export const MAX_EXPRESSION_LENGTH = 8192;

/** The variables a policy expression can read; anything else is an unknown variable at compile time. */
export const POLICY_VARIABLES = ['model', 'dependencies', 'audit', 'params'] as const;

const environment = POLICY_VARIABLES.reduce(
  (env, name) => env.registerVariable(name, 'dyn'),
  new Environment({ unlistedVariablesAreDyn: false, limits: { maxAstNodes: 4096, maxDepth: 64 } })
);

export interface RunOptions {
  /** `inputShapes(input)`, computed once when several expressions read the same input. */
  shapes?: ReturnType<typeof inputShapes>;
  /** Steps the expression may take on this input (default MAX_RULE_COST). */
  budget?: number;
  /** Runs the evaluation under a time bound (the CLI's); throws PolicyError EVALUATION_TIMEOUT when it ends it. */
  runBounded?: <T>(evaluate: () => T) => T;
}

export type CompiledExpression =
  | {
      ok: true;
      run: (
        input: Record<string, unknown>,
        options?: RunOptions
      ) => { value: boolean } | { error: ExpressionError };
    }
  | { ok: false; error: ExpressionError };

/** 1-based line and column of a UTF-16 offset in the expression. */
export function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, Math.min(offset, source.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

export function expressionError(
  source: string,
  kind: ExpressionError['kind'],
  message: string,
  offset: number,
  length: number
): ExpressionError {
  const { line, column } = positionOf(source, offset);
  const text = source.split('\n')[line - 1] ?? '';
  const caret = `${' '.repeat(column - 1)}^${'~'.repeat(Math.max(0, Math.min(length, text.length - column + 1) - 1))}`;
  return { kind, message, offset, length, line, column, excerpt: `${text}\n${caret}` };
}

interface CelError {
  summary?: string;
  message?: string;
  range?: { start: number; end: number };
}

function fromCelError(source: string, kind: ExpressionError['kind'], err: unknown): ExpressionError {
  const e = (err ?? {}) as CelError;
  const message = e.summary ?? e.message?.split('\n')[0] ?? String(err);
  const start = e.range?.start ?? 0;
  const end = e.range?.end ?? source.length;
  return expressionError(source, kind, message, start, Math.max(1, end - start));
}

function formatSteps(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? Math.round(n).toLocaleString('en-US') : 'more than 10^15';
}

/** Parses and type-checks one expression; the result evaluates it against a policy input document. */
export function compileExpression(source: string): CompiledExpression {
  if (source.length > MAX_EXPRESSION_LENGTH)
    return {
      ok: false,
      error: expressionError(source, 'syntax', `longer than ${MAX_EXPRESSION_LENGTH} characters`, 0, 1)
    };
  let parsed: ParseResult;
  try {
    parsed = environment.parse(source);
  } catch (err) {
    return { ok: false, error: fromCelError(source, 'syntax', err) };
  }
  const checked = parsed.check();
  if (!checked.valid) return { ok: false, error: fromCelError(source, 'type', checked.error) };
  if (checked.type !== 'bool' && checked.type !== 'dyn')
    return {
      ok: false,
      error: expressionError(
        source,
        'type',
        `a rule must be a bool expression, this one is ${checked.type}`,
        0,
        source.length
      )
    };
  return {
    ok: true,
    run(input, options = {}) {
      const budget = options.budget ?? MAX_RULE_COST;
      const { cost, overrun } = estimateCost(parsed.ast, options.shapes ?? inputShapes(input), budget);
      if (overrun)
        return {
          error: expressionError(
            source,
            'limit',
            `this would take up to ${formatSteps(cost)} evaluation steps on this model; a rule may take ${formatSteps(budget)} (nested comprehensions multiply)`,
            overrun.start,
            Math.max(1, overrun.end - overrun.start)
          )
        };
      let value: unknown;
      try {
        value = options.runBounded ? options.runBounded(() => parsed(input)) : parsed(input);
      } catch (err) {
        if (err instanceof PolicyError && err.code === 'EVALUATION_TIMEOUT')
          return { error: expressionError(source, 'limit', err.message, 0, Math.max(1, source.length)) };
        return { error: fromCelError(source, 'evaluation', err) };
      }
      if (typeof value !== 'boolean')
        return {
          error: expressionError(
            source,
            'result',
            `evaluated to ${typeof value}, not a bool`,
            0,
            source.length
          )
        };
      return { value };
    }
  };
}
