import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { pythonCodeFormat } from '.';
import { codeOnly } from './strip';

const scan = (name: string, text: string) =>
  scanSource(memorySource(new TextEncoder().encode(text), name), { formats: [pythonCodeFormat] });

describe('python code (lexical)', () => {
  it('blanks comments and strings but keeps line numbers', () => {
    const src = 'a = "eval(x)"  # exec(y)\nb = """\nos.system(1)\n"""\nexec(z)\n';
    const code = codeOnly(src);
    expect(code.split('\n')).toHaveLength(src.split('\n').length);
    expect(code).not.toMatch(/eval|os\.system|exec\(y/);
    expect(code.split('\n')[4]).toBe('exec(z)');
  });

  it('flags risky calls with line numbers, and only in code', async () => {
    const report = await scan(
      'modeling_evil.py',
      [
        'import os, subprocess',
        '"""Docstring that mentions eval( and os.system( harmlessly."""',
        'def run(cmd):',
        '    return os.system(cmd)  # eval(',
        'x = __import__("socket")',
        'exec(compile(src, "f", "exec"))'
      ].join('\n')
    );
    const byRule = Object.fromEntries(report.findings.map((f) => [f.ruleId, f]));
    expect(byRule['python.call.process'].evidence.details).toMatchObject({ line: 1, occurrences: 2 });
    expect(byRule['python.call.process'].message).toContain('Lines 1, 4');
    expect(byRule['python.call.dunder-import'].evidence.details?.line).toBe(5);
    expect(byRule['python.call.exec'].evidence.details?.line).toBe(6);
    expect(byRule['python.call.compile'].severity).toBe('high');
    expect(report.verdict).toBe('high');
    expect(report.facts?.['python.lines']).toBe(6);
  });

  it('says only "ships code" (low) for ordinary modelling code', async () => {
    const report = await scan(
      'modeling_tiny.py',
      'import torch\nfrom torch import nn\n\nclass Tiny(nn.Module):\n    def forward(self, x):\n        return self.proj(x)  # no exec here\n'
    );
    expect(report.findings.map((f) => f.ruleId)).toEqual(['python.code-present']);
    expect(report.verdict).toBe('low');
  });

  it('does not claim files that are not .py or are binary', () => {
    const probe = (name: string, bytes: number[]) => ({
      head: Uint8Array.from(bytes),
      tail: Uint8Array.from(bytes),
      name,
      size: bytes.length
    });
    expect(pythonCodeFormat.sniff(probe('a.txt', [0x61]))).toBe(false);
    expect(pythonCodeFormat.sniff(probe('a.py', [0x61, 0, 0x62]))).toBe(false);
    expect(pythonCodeFormat.sniff(probe('a.py', [0x61]))).toBe(true);
  });
});
