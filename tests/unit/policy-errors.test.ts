import { describe, expect, it } from 'vitest';
import { STRICT_POLICY } from '../../src/lib/core/policy/builtin';
import { checkPolicySet, evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import { compileExpression } from '../../src/lib/core/policy/expression';
import { PolicyError } from '../../src/lib/core/policy/errors';
import { parsePolicySet } from '../../src/lib/core/policy/policy-set';
import { buildTriageReport } from '../../src/lib/core/triage/build';
import { licenseFromModelCard } from '../../src/lib/core/triage/license';

function compileError(expression: string) {
  const compiled = compileExpression(expression);
  if (compiled.ok) throw new Error(`${expression} compiled`);
  return compiled.error;
}

const EMPTY = buildTriageReport({ model: { name: 'm' }, files: [], createdAt: '2026-01-01T00:00:00Z' });

describe('positioned expression errors', () => {
  it('a syntax error on the second line is at line 2, column of the bad token', () => {
    const e = compileError('model.complete &&\n  model.files.exists(f, f.format ==)');
    expect(e).toMatchObject({ kind: 'syntax', line: 2, column: 36 });
    expect(e.excerpt.split('\n')[1]).toBe(`${' '.repeat(35)}^`);
  });

  it('an unknown variable is a type error at its position', () => {
    const e = compileError('model.complete && modle.files.size() == 0');
    expect(e).toMatchObject({ kind: 'type', line: 1, column: 19, length: 5 });
    expect(e.message).toMatch(/modle/);
  });

  it('a non-boolean rule and a wrong overload are rejected before evaluation', () => {
    expect(compileError('1 + 2').message).toMatch(/bool/);
    expect(compileError('size(model.files) > "x"').kind).toBe('type');
  });

  it('a missing field fails at evaluation with its position, and the policy is an error (fail closed)', () => {
    const set = {
      name: 't',
      params: {},
      rules: [{ id: 'typo', severity: 'deny' as const, expression: 'model.signature.verifed', message: 'm' }]
    };
    const evaluation = evaluatePolicy(set, EMPTY);
    expect(evaluation.outcome).toBe('error');
    expect(evaluation.results[0]).toMatchObject({
      outcome: 'error',
      error: { kind: 'evaluation', line: 1, column: 17, message: 'No such key: verifed' }
    });
  });

  it('every built-in expression compiles', () => {
    expect(checkPolicySet(STRICT_POLICY)).toEqual([]);
  });
});

describe('policy files', () => {
  const yaml = `apiVersion: model-triage/v1alpha1
kind: PolicySet
name: team-gate
extends: safeload/builtin
disable: [license-allowed]
params:
  approvedSigners:
    - { identity: release@acme.example, issuer: https://token.actions.githubusercontent.com }
rules:
  - id: small-enough
    severity: warn
    expression: >-
      model.files.all(f, f.size < params.maxBytes)
    message: A file is larger than allowed
  - id: no-critical-findings
    severity: warn
    expression: model.findingCounts.critical == 0
    message: Critical findings (downgraded to a warning here)
`;

  it('extends the built-in set: params merged, rules disabled, replaced and added, expression lines kept', () => {
    const set = parsePolicySet(yaml, 'team.yaml');
    expect(set.name).toBe('team-gate');
    const ids = set.rules.map((r) => r.id);
    expect(ids).not.toContain('license-allowed');
    expect(ids).toContain('small-enough');
    expect(set.rules.find((r) => r.id === 'no-critical-findings')?.severity).toBe('warn');
    expect(set.params.loaderPackages).toEqual(STRICT_POLICY.params.loaderPackages);
    expect(set.params.approvedSigners).toHaveLength(1);
    expect(set.expressionAt['small-enough']).toEqual({ line: 12, column: 17 });
    // maxBytes is not a parameter: evaluation reports it (fail closed), with its column.
    const report = buildTriageReport({
      model: { name: 'm' },
      files: [{ path: 'a', size: 1, formats: [], verdict: 'clean', complete: true, findings: [] }]
    });
    const small = evaluatePolicy(set, report).results.find((r) => r.id === 'small-enough');
    expect(small?.error).toMatchObject({
      kind: 'evaluation',
      line: 1,
      column: 36,
      message: 'No such key: maxBytes'
    });
  });

  it('reports invalid rules with the file line of the field', () => {
    const bad = 'name: x\nrules:\n  - id: a\n    severity: block\n    expression: "true"\n    message: m\n';
    try {
      parsePolicySet(bad, 'bad.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyError);
      expect((err as PolicyError).code).toBe('POLICY_SET_INVALID');
      expect((err as PolicyError).problems).toEqual([
        { path: 'rules[0].severity', message: 'must be one of deny, warn, info', line: 4, column: 15 }
      ]);
    }
  });

  it('reports YAML syntax errors with their line, and rejects duplicate ids and empty sets', () => {
    expect(() => parsePolicySet('rules:\n  - id: [unclosed\n', 'p.yaml')).toThrow(/^3:1 \$: Flow sequence/);
    const dup = JSON.stringify({
      rules: [
        { id: 'a', severity: 'deny', expression: 'true', message: 'm' },
        { id: 'a', severity: 'deny', expression: 'true', message: 'm' }
      ]
    });
    expect(() => parsePolicySet(dup)).toThrow(/duplicate id a/);
    expect(() => parsePolicySet('{"rules": []}')).toThrow(/at least one rule/);
  });
});

describe('licence from a model card', () => {
  it('reads the front matter licence, and license_name for "other"', () => {
    expect(licenseFromModelCard('---\nlanguage: en\nlicense: Apache-2.0\n---\n# Model')).toBe('apache-2.0');
    expect(licenseFromModelCard('---\nlicense: other\nlicense_name: llama3.1\n---\n')).toBe('llama3.1');
    expect(licenseFromModelCard('# No front matter\nlicense: mit\n')).toBeNull();
    expect(licenseFromModelCard('---\nlicense: [unclosed\n---\n')).toBeNull();
  });
});
