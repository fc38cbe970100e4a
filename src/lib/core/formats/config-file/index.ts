import { parseDocument } from 'yaml';
import { readAll } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { reportTemplate } from '../chat-template/report';
import type { FormatScanner, ScanContext } from '../types';
import { reportConfigStrings } from './rules';
import { configStrings } from './walk';

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const LOOKS_LIKE_JINJA = /\{\{|\{%/;
const isYaml = (name: string) => /\.ya?ml$/i.test(name);
const isJson = (name: string) => /\.json$/i.test(name);

function parseConfig(text: string, yaml: boolean): unknown {
  if (!yaml) return JSON.parse(text);
  // maxAliasCount bounds alias expansion ("billion laughs"); no custom tags are resolved.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: 1000 });
}

function reportYamlTemplates(strings: ReturnType<typeof configStrings>['strings'], ctx: ScanContext): void {
  for (const s of strings) {
    if (!LOOKS_LIKE_JINJA.test(s.value)) continue;
    reportTemplate(ctx, s.value, {
      label: s.path,
      origin: 'transformers',
      rendered: /chat_template/i.test(s.key)
    });
  }
}

/**
 * JSON and YAML configs that ship with a model: embedded credentials and shell commands; in YAML, Jinja
 * templates too (JSON tokenizer configs have their own scanner).
 */
export const configFileFormat: FormatScanner = {
  id: 'config-file',
  label: 'JSON/YAML config',
  sniff: (probe) =>
    (isYaml(probe.name) || isJson(probe.name)) &&
    probe.size <= MAX_CONFIG_BYTES &&
    !probe.head.subarray(0, 4096).includes(0),
  async scan(src, ctx) {
    const yaml = isYaml(src.name);
    const text = new TextDecoder('utf-8').decode(await readAll(src)).replace(/^\uFEFF/, '');
    let root: unknown;
    try {
      root = parseConfig(text, yaml);
    } catch (err) {
      ctx.report({
        ruleId: 'config.unparsed',
        severity: 'low',
        title: `Not valid ${yaml ? 'YAML' : 'JSON'}`,
        message: `Tools will refuse this config: ${shorten(String((err as Error).message), 160)}.`
      });
      return;
    }
    const { strings, truncated } = configStrings(root);
    if (truncated) ctx.incomplete('The config nests deeper or holds more values than Safeload walks.');
    if (yaml) reportYamlTemplates(strings, ctx);
    reportConfigStrings(strings, ctx);
  }
};
