import { readAll } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { isJsonObject, JsonSyntaxError, parseStrictJson, type JsonValue } from '../safetensors/strict-json';
import type { FormatScanner, Probe, ScanContext } from '../types';
import { reportTemplate } from './report';

const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
const CONFIG_NAMES =
  /(?:^|[\\/])(?:tokenizer_config|chat_template|processor_config|preprocessor_config)\.json$/i;
const CHAT_TEMPLATE_KEY = /"chat_template"\s*:/;
const LOOKS_LIKE_JINJA = /\{\{|\{%/;

function startsLikeJsonObject(head: Uint8Array): boolean {
  for (const b of head.subarray(0, 256)) {
    if (b === 0x7b) return true;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf)
      return false;
  }
  return false;
}

/** `chat_template` is a string, or a list of {name, template} (named templates such as `tool_use`). */
function templatesOf(value: JsonValue | undefined): { label: string; text: string }[] {
  if (typeof value === 'string') return [{ label: 'chat_template', text: value }];
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i) => {
    if (!isJsonObject(item)) return [];
    const name = item.get('name');
    const text = item.get('template');
    const label = `chat_template[${typeof name === 'string' ? shorten(name, 40) : i}]`;
    return typeof text === 'string' ? [{ label, text }] : [];
  });
}

function scanConfig(root: JsonValue, ctx: ScanContext): void {
  if (!isJsonObject(root)) return;
  const templates = templatesOf(root.get('chat_template'));
  for (const t of templates)
    reportTemplate(ctx, t.text, { label: t.label, origin: 'transformers', rendered: true });
  if (templates.length > 0) ctx.fact('chat-template.templates', templates.length);
  for (const [key, value] of root) {
    if (key === 'chat_template' || typeof value !== 'string' || !LOOKS_LIKE_JINJA.test(value)) continue;
    reportTemplate(ctx, value, { label: key, origin: 'transformers', rendered: false });
  }
}

/** Tokenizer configs and `chat_template.json`: JSON files that carry chat templates. */
export const tokenizerConfigFormat: FormatScanner = {
  id: 'tokenizer-config',
  label: 'Tokenizer config (chat template)',
  sniff(probe: Probe) {
    if (!startsLikeJsonObject(probe.head)) return false;
    return (
      CONFIG_NAMES.test(probe.name) || CHAT_TEMPLATE_KEY.test(new TextDecoder('latin1').decode(probe.head))
    );
  },
  async scan(src, ctx) {
    if (src.size > MAX_CONFIG_BYTES) {
      ctx.incomplete(
        `The file is ${src.size} bytes; JSON configs above ${MAX_CONFIG_BYTES} bytes are not parsed.`
      );
      return;
    }
    const text = new TextDecoder('utf-8').decode(await readAll(src)).replace(/^\uFEFF/, '');
    let parsed;
    try {
      parsed = parseStrictJson(text, { maxDepth: 64 });
    } catch (err) {
      const at = err instanceof JsonSyntaxError ? err.offset : 0;
      // Transformers refuses the file, but other tools may extract the template by text: search it.
      reportTemplate(ctx, text, {
        label: `${shorten(src.name, 60)} (unparsed JSON)`,
        origin: 'transformers',
        rendered: true
      });
      ctx.incomplete(
        `The file is not valid JSON (${shorten((err as Error).message, 160)}): Transformers refuses it, and its chat template was only searched as text.`,
        undefined,
        { excerpt: shorten(text.slice(Math.max(0, at - 80), at + 80), 200) }
      );
      return;
    }
    for (const dup of parsed.duplicates) {
      ctx.report({
        ruleId: 'tokenizer-config.duplicate-key',
        severity: dup.key === 'chat_template' ? 'high' : 'low',
        title: 'Duplicate key in the config',
        message: `"${shorten(dup.key, 80)}" appears more than once in ${shorten(dup.pointer, 80)}. Python's json keeps the last copy, other parsers the first: tools can see different values.`,
        evidence: { name: shorten(dup.key, 80) }
      });
      if (dup.pointer === '/' && dup.key === 'chat_template') {
        for (const t of templatesOf(dup.value)) {
          reportTemplate(ctx, t.text, {
            label: `${t.label} (later copy)`,
            origin: 'transformers',
            rendered: true
          });
        }
      }
    }
    scanConfig(parsed.value, ctx);
  }
};
