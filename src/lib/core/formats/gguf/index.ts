import { TruncatedError } from '../../bytes/reader';
import { shorten } from '../../findings';
import { reportTemplate } from '../chat-template/report';
import type { FormatScanner, Probe, ScanContext } from '../types';
import { checkTensorLayout } from './layout';
import { inspectGguf } from './inspected';
import { emptyGguf, parseGguf, type GgufFile } from './parse';

const CHAT_TEMPLATE_KEY = /^tokenizer\.chat_template(?:\..+)?$/;
const LOOKS_LIKE_JINJA = /\{\{|\{%/;

function reportTemplates(file: GgufFile, ctx: ScanContext): void {
  let count = 0;
  for (const s of file.strings) {
    const rendered = CHAT_TEMPLATE_KEY.test(s.key);
    if (!rendered && !LOOKS_LIKE_JINJA.test(s.value)) continue;
    if (rendered) count++;
    reportTemplate(ctx, s.value, { label: shorten(s.key, 80), origin: 'gguf', rendered, offset: s.offset });
  }
  if (count > 0) ctx.fact('gguf.chatTemplates', count);
}

function reportFacts(file: GgufFile, ctx: ScanContext): void {
  ctx.fact('gguf.version', file.version);
  ctx.fact('gguf.tensors', file.tensorCount);
  ctx.fact('gguf.metadataKeys', file.kvCount);
  ctx.fact('gguf.parameters', Number(file.parameterCount));
  for (const key of ['general.architecture', 'general.name']) {
    const value = file.strings.find((s) => s.key === key)?.value;
    if (value !== undefined) ctx.fact(`gguf.${key}`, shorten(value, 80));
  }
}

export const ggufFormat: FormatScanner = {
  id: 'gguf',
  label: 'GGUF',
  sniff(probe: Probe) {
    const h = probe.head;
    return h.length >= 4 && h[0] === 0x47 && h[1] === 0x47 && h[2] === 0x55 && h[3] === 0x46;
  },
  async scan(src, ctx) {
    const file = emptyGguf();
    try {
      await parseGguf(src, file);
    } catch (err) {
      // What was read before the end is still reported; scan.ts records the truncation itself.
      if (err instanceof TruncatedError) {
        inspectGguf(file, ctx);
        for (const problem of file.problems) ctx.report(problem);
        reportTemplates(file, ctx);
      }
      throw err;
    }
    inspectGguf(file, ctx);
    for (const problem of file.problems) ctx.report(problem);
    reportTemplates(file, ctx);
    if (file.stoppedAt !== undefined) {
      ctx.incomplete(
        file.malformed
          ? `The GGUF header is malformed: ${file.stoppedAt}. llama.cpp refuses this file; the rest of the header was not analysed.`
          : `The GGUF header exceeds an analysis limit: ${file.stoppedAt}. The rest of the header was not analysed.`,
        file.stoppedOffset
      );
      return;
    }
    for (const problem of checkTensorLayout(file, src.size)) ctx.report(problem);
    reportFacts(file, ctx);
  }
};
