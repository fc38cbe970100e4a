import { shorten } from '../../findings';
import type { FindingInput } from '../types';

/** Text that reads as code, a shell command or markup: inert to safetensors, dangerous to tools that use it. */
const CODE_PATTERNS: readonly [RegExp, string][] = [
  [/(?:^|[;\n]\s*)import\s+[A-Za-z_][\w.]*|\bfrom\s+[\w.]+\s+import\s|__import__\s*\(/, 'Python import'],
  [/\b(?:os\.system|os\.popen|subprocess|exec\s*\(|eval\s*\(|compile\s*\()/, 'Python code execution'],
  [/<\s*script\b|javascript:|\bon(?:error|load)\s*=/i, 'HTML/JavaScript'],
  [
    /\b(?:rm\s+-[rf]+|wget\s+\S|curl\s+\S|chmod\s+[0-7+]|\/bin\/(?:ba)?sh\b|powershell\b|nc\s+-[el])/i,
    'shell command'
  ],
  [/(?:\\x[0-9a-f]{2}){4,}|b64decode|frombase64string/i, 'encoded payload']
];
const URL_PATTERN = /\b(?:https?|ftp):\/\/[^\s"'<>]+/i;

export function checkMetadataText(metadata: ReadonlyMap<string, string>): FindingInput[] {
  const problems: FindingInput[] = [];
  const urls: string[] = [];
  for (const [key, value] of metadata) {
    const hits = CODE_PATTERNS.filter(([re]) => re.test(value)).map(([, label]) => label);
    if (hits.length > 0) {
      problems.push({
        ruleId: 'safetensors.metadata-code',
        severity: 'medium',
        title: 'Metadata contains code or commands',
        message: `The metadata entry "${shorten(key, 80)}" looks like ${hits.join(', ')}. Safetensors loaders never execute metadata, so loading the weights is not affected — but legitimate models do not ship this, and a tool, notebook or web page that runs or displays it unescaped would be attacked.`,
        offset: 8,
        evidence: { name: shorten(key, 120), excerpt: shorten(value, 300) }
      });
    }
    const url = URL_PATTERN.exec(value);
    if (url) urls.push(`${shorten(key, 60)}: ${shorten(url[0], 120)}`);
  }
  if (urls.length > 0) {
    problems.push({
      ruleId: 'safetensors.metadata-url',
      severity: 'low',
      title: 'Metadata contains URLs',
      message:
        'URLs in the metadata are inert for the loader; listed so you can check where they point before any tool follows them.',
      offset: 8,
      evidence: { excerpt: shorten(urls.slice(0, 10).join('\n'), 600) }
    });
  }
  return problems;
}
