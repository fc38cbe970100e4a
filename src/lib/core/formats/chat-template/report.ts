import { maxVerdict, severityRank, shorten, type Severity } from '../../findings';
import type { ScanContext } from '../types';
import { analyseTemplate, MAX_TEMPLATE_CHARS, type TemplateHit, type TemplateRule } from './analyse';

export type TemplateOrigin = 'gguf' | 'transformers';

export interface TemplateSource {
  /** Where the template sits: `tokenizer.chat_template`, `chat_template[tool_use]`, a file name. */
  label: string;
  origin: TemplateOrigin;
  /** False for template-looking strings in keys no loader renders; their findings are capped at medium. */
  rendered: boolean;
  offset?: number;
}

const RENDERERS: Record<TemplateOrigin, string> = {
  gguf: "GGUF chat templates are rendered by llama.cpp's C++ engine (minja), which exposes no Python objects, but also by Python front ends: llama-cpp-python before 0.2.72 rendered them with unsandboxed jinja2 (CVE-2024-34359), where this runs arbitrary code.",
  transformers:
    "Transformers renders chat templates with jinja2's ImmutableSandboxedEnvironment, which blocks these attributes; tools that render them with a plain jinja2 Template (older llama-cpp-python, custom servers) run this as code."
};

const TITLES: Record<TemplateRule, string> = {
  'chat-template.python-internals': 'Chat template reaches Python internals (template injection)',
  'chat-template.dangerous-call': 'Chat template calls process, environment or network functions',
  'chat-template.gadget-global': 'Chat template uses Jinja/Flask globals known as escape gadgets',
  'chat-template.python-name': 'Chat template names Python modules or builtins',
  'chat-template.dynamic-attr': 'Chat template looks up attributes by computed name'
};

const WHY: Record<TemplateRule, string> = {
  'chat-template.python-internals':
    'It walks from a template value into Python objects (`__class__`, `__globals__`, `__subclasses__` …), the standard route from a Jinja template to os.system.',
  'chat-template.dangerous-call':
    'It calls functions that start processes, read the environment or open URLs.',
  'chat-template.gadget-global':
    'It uses globals (`cycler`, `joiner`, `lipsum`, `self`, `request`, `config` …) whose only use in a chat template is as a stepping stone to Python internals.',
  'chat-template.python-name':
    'It names Python modules or builtins (`os`, `eval`, `getattr` …) that Jinja does not provide; they only resolve after a sandbox escape.',
  'chat-template.dynamic-attr':
    'It reads attributes through `|attr()` with a name computed at render time, which hides which attribute is reached.'
};

function group(hits: readonly TemplateHit[]): Map<TemplateRule, TemplateHit[]> {
  const groups = new Map<TemplateRule, TemplateHit[]>();
  for (const h of hits) groups.set(h.rule, [...(groups.get(h.rule) ?? []), h]);
  return groups;
}

/** Analyses one template and reports what it reaches; a template that does not parse is reported incomplete. */
export function reportTemplate(
  ctx: Pick<ScanContext, 'report' | 'incomplete'>,
  template: string,
  source: TemplateSource
): void {
  const text = template.length > MAX_TEMPLATE_CHARS ? template.slice(0, MAX_TEMPLATE_CHARS) : template;
  if (text !== template) {
    ctx.incomplete(
      `The template in ${shorten(source.label, 80)} is ${template.length} characters; only the first ${MAX_TEMPLATE_CHARS} were analysed.`,
      source.offset
    );
  }
  const analysis = analyseTemplate(text);
  const excerpt = shorten(text, 400);
  for (const [rule, hits] of group(analysis.hits)) {
    const found = hits.reduce<Severity>((s, h) => maxVerdict(s, h.severity) as Severity, 'info');
    const severity: Severity =
      source.rendered || severityRank(found) <= severityRank('medium') ? found : 'medium';
    const unrendered = source.rendered
      ? ''
      : ' This string is not under a key that loaders render as the chat template, so it is inert unless a tool picks it up — but it has no legitimate reason to be there.';
    const byText = analysis.parsed ? '' : ' (Found by text search: the template did not parse.)';
    ctx.report({
      ruleId: rule,
      severity,
      title: TITLES[rule],
      message: `${WHY[rule]}${byText} ${RENDERERS[source.origin]} No legitimate chat template needs this: treat it as an injection attempt.${unrendered}`,
      offset: source.offset,
      evidence: {
        name: shorten(hits[0].name, 80),
        excerpt,
        details: {
          template: shorten(source.label, 120),
          expression: shorten(
            hits
              .slice(0, 5)
              .map((h) => h.expression)
              .join(' ; '),
            400
          ),
          occurrences: hits.length
        }
      }
    });
  }
  if (!analysis.parsed) {
    ctx.incomplete(
      `The chat template in ${shorten(source.label, 80)} could not be parsed (${shorten(analysis.parseError ?? '', 120)}); it was only searched as text. The parser used (@huggingface/jinja) is stricter than Python's jinja2 and llama.cpp's minja, which may still render parts of it.`,
      source.offset,
      { excerpt }
    );
  } else if (!analysis.complete) {
    ctx.incomplete(
      `The template in ${shorten(source.label, 80)} is too large to analyse completely.`,
      source.offset,
      { excerpt }
    );
  }
}
