import { shorten } from '../../findings';
import type { FormatScanner, Probe } from '../types';
import { MAX_TEMPLATE_CHARS } from './analyse';
import { reportTemplate } from './report';

const TEMPLATE_NAME = /\.(?:jinja2?|j2|template)$/i;

/** Standalone templates: `chat_template.jinja` (saved by recent Transformers), `.j2`, `.template`. */
export const jinjaTemplateFormat: FormatScanner = {
  id: 'jinja-template',
  label: 'Jinja chat template',
  sniff(probe: Probe) {
    return TEMPLATE_NAME.test(probe.name) && !probe.head.subarray(0, 4096).includes(0);
  },
  async scan(src, ctx) {
    const bytes = await src.read(0, MAX_TEMPLATE_CHARS);
    const text = new TextDecoder('utf-8').decode(bytes);
    if (src.size > bytes.length) {
      ctx.incomplete(`The template is ${src.size} bytes; only the first ${bytes.length} were analysed.`);
    }
    reportTemplate(ctx, text, { label: shorten(src.name, 80), origin: 'transformers', rendered: true });
  }
};
