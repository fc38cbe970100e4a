import { readAll } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import type { FormatScanner } from '../types';
import { isTorchScriptCodeName } from '../pytorch/torchscript';
import { CODE_RULES } from './rules';
import { codeOnly } from './strip';

const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
const MAX_HITS_PER_RULE = 20;

/** TorchScript's code/ members are Python-like but not Python: torchscript.ts reads them. */
function isPythonName(name: string): boolean {
  return /\.pyw?$/i.test(name) && !isTorchScriptCodeName(name);
}

/** Python source shipped with a model (`trust_remote_code`): hashed like every file, and read lexically. */
export const pythonCodeFormat: FormatScanner = {
  id: 'python-code',
  label: 'Python source code',
  sniff: (probe) => isPythonName(probe.name) && !probe.head.subarray(0, 4096).includes(0),
  async scan(src, ctx) {
    if (src.size > MAX_SOURCE_BYTES) {
      ctx.incomplete(
        `This Python file is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB and was not read.`
      );
      return;
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(await readAll(src));
    const lines = text.split('\n');
    const code = codeOnly(text).split('\n');
    ctx.fact('python.lines', lines.length);
    ctx.report({
      ruleId: 'python.code-present',
      severity: 'low',
      title: 'Ships Python code',
      message:
        'This Python file runs on your machine if the model is loaded with trust_remote_code=True (or imported). The checks below are lexical: they read the text for risky calls, they do not prove the code safe.',
      evidence: { details: { lines: lines.length } }
    });
    for (const rule of CODE_RULES) {
      const hits = code.flatMap((line, index) => (rule.pattern.test(line) ? [index + 1] : []));
      if (hits.length === 0) continue;
      const first = hits[0];
      ctx.report({
        ruleId: `python.call.${rule.id}`,
        severity: rule.severity,
        title: `Python code that ${rule.what}`,
        message: `Line${hits.length > 1 ? 's' : ''} ${hits.slice(0, MAX_HITS_PER_RULE).join(', ')}${hits.length > MAX_HITS_PER_RULE ? ', …' : ''}: this code ${rule.what} when it runs. Review it before trusting this model's remote code.`,
        evidence: {
          excerpt: shorten(lines[first - 1].trim(), 160),
          details: { line: first, occurrences: hits.length }
        }
      });
    }
  }
};
