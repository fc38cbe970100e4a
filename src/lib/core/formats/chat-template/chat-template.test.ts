import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { analyseTemplate } from './analyse';
import { jinjaTemplateFormat } from './jinja-file';
import { tokenizerConfigFormat } from './tokenizer-config';

const template = (name: string) =>
  readFileSync(new URL(`../../../../../tests/fixtures/templates/${name}`, import.meta.url), 'utf8');
const encode = (text: string) => new TextEncoder().encode(text);
const scanText = (text: string, name: string) =>
  scanSource(memorySource(encode(text), name), { formats: [tokenizerConfigFormat, jinjaTemplateFormat] });

describe('chat template analysis', () => {
  it.each(['chatml.jinja', 'llama3.jinja', 'mistral.jinja', 'tools-qwen-style.jinja', 'comment-only.jinja'])(
    'finds nothing in the benign template %s',
    (name) => {
      const analysis = analyseTemplate(template(name));
      expect(analysis.parsed).toBe(true);
      expect(analysis.hits).toEqual([]);
    }
  );

  it('folds string concatenation, ~ and join into attribute names', () => {
    const names = analyseTemplate(template('concat-bypass.jinja')).hits.map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(['__class__', '__init__', '__globals__']));
  });

  it('flags attr() with a computed name as high', () => {
    const hits = analyseTemplate(template('dynamic-attr.jinja')).hits;
    expect(hits.map((h) => [h.rule, h.severity])).toEqual([['chat-template.dynamic-attr', 'high']]);
  });

  it('flags gadget globals, dunder chains and process calls', () => {
    const hits = analyseTemplate(template('lipsum-gadget.jinja')).hits;
    expect(hits.map((h) => h.rule).sort()).toEqual([
      'chat-template.dangerous-call',
      'chat-template.gadget-global',
      'chat-template.python-internals'
    ]);
    expect(hits.find((h) => h.rule === 'chat-template.python-internals')?.expression).toBe(
      "lipsum.__globals__['os'].popen('id').read()"
    );
  });

  it.each([
    ["{{ x['__class__'] }}", '__class__'],
    ["{{ x|attr('__globals__') }}", '__globals__'],
    ["{{ x['\\x5f\\x5fclass\\x5f\\x5f'] }}", '__class__'],
    ['{{ self._TemplateReference__context }}', '_TemplateReference__context'],
    ['{{ x.mro() }}', 'mro'],
    ['{{ namespace.__init__.__globals__ }}', '__init__'],
    ["{{ (['__bui', 'ltins__']|join) }}", '__builtins__'],
    ["{{ '_'.join(['', 'class', '']) }}", '_class_'],
    ["{{ '__SSALC__'|lower|reverse }}", '__class__']
  ])('sees internals in %s', (text, name) => {
    const hits = analyseTemplate(text).hits;
    if (name === '_class_') expect(hits).toEqual([]);
    else expect(hits.some((h) => h.name === name || h.expression.includes(name))).toBe(true);
  });

  it('does not treat locally bound names, roles or keyword names as globals', () => {
    const text =
      "{% set config = namespace(system=true) %}{% for os in messages %}{{ os['role'] == 'system' }}{{ config.system }}{% endfor %}{{ messages|map(attribute='content')|join }}";
    expect(analyseTemplate(text).hits).toEqual([]);
  });

  it('falls back to a text search when the template does not parse', () => {
    const analysis = analyseTemplate(
      '{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}'
    );
    expect(analysis.parsed).toBe(false);
    expect(analysis.hits.map((h) => h.name)).toEqual(['__class__', '__base__', '__subclasses__']);
  });

  it('survives deep nesting and long concatenations without crashing', () => {
    expect(analyseTemplate(`{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}`).parsed).toBeTypeOf('boolean');
    const long = `{{ ${Array.from({ length: 5000 }, () => "'a'").join(' + ')} + '__class__' }}`;
    expect(analyseTemplate(long).hits.length).toBeGreaterThan(0);
  });
});

describe('tokenizer config and template files', () => {
  it('reads chat_template as a string or a list of named templates', async () => {
    const benign = JSON.stringify({ tokenizer_class: 'X', chat_template: template('llama3.jinja') });
    expect((await scanText(benign, 'tokenizer_config.json')).verdict).toBe('clean');
    const named = JSON.stringify({
      chat_template: [
        { name: 'default', template: template('chatml.jinja') },
        { name: 'tool_use', template: template('lipsum-gadget.jinja') }
      ]
    });
    const report = await scanText(named, 'tokenizer_config.json');
    expect(report.verdict).toBe('critical');
    expect(report.findings[0].evidence.details?.template).toBe('chat_template[tool_use]');
  });

  it('analyses the later copy of a duplicated chat_template (the one Python keeps)', async () => {
    const text = `{"chat_template": ${JSON.stringify(template('chatml.jinja'))}, "chat_template": ${JSON.stringify(template('lipsum-gadget.jinja'))}}`;
    const report = await scanText(text, 'tokenizer_config.json');
    expect(report.verdict).toBe('critical');
    expect(report.findings.map((f) => f.ruleId)).toContain('tokenizer-config.duplicate-key');
  });

  it('caps payloads in keys no loader renders at medium', async () => {
    const text = JSON.stringify({
      chat_template: '{{ messages }}',
      custom_template: template('lipsum-gadget.jinja')
    });
    const report = await scanText(text, 'tokenizer_config.json');
    expect(report.verdict).toBe('medium');
  });

  it('reports invalid JSON as incomplete and still searches it', async () => {
    const report = await scanText(
      '{"chat_template": "{{ cycler.__init__.__globals__ }}", ',
      'tokenizer_config.json'
    );
    expect(report.complete).toBe(false);
    expect(report.verdict).toBe('critical');
  });

  it('scans standalone .jinja files, and reports unparsable ones as incomplete', async () => {
    expect((await scanText(template('mistral.jinja'), 'chat_template.jinja')).verdict).toBe('clean');
    expect((await scanText(template('lipsum-gadget.jinja'), 'chat_template.jinja')).verdict).toBe('critical');
    const broken = await scanText('{{ unclosed', 'x.j2');
    expect(broken.complete).toBe(false);
    expect(broken.verdict).toBe('medium');
    expect(broken.findings[0].message).toContain('stricter than Python');
  });

  it('sniffs JSON with a chat_template key under any name, and not other JSON', () => {
    const probe = (text: string, name: string) => ({
      head: encode(text),
      tail: encode(text),
      name,
      size: text.length
    });
    expect(tokenizerConfigFormat.sniff(probe('{"chat_template": "x"}', 'weird.json'))).toBe(true);
    expect(tokenizerConfigFormat.sniff(probe('{"a": 1}', 'weird.json'))).toBe(false);
    expect(tokenizerConfigFormat.sniff(probe('{"a": 1}', 'dir/tokenizer_config.json'))).toBe(true);
    expect(jinjaTemplateFormat.sniff(probe('{{ x }}', 'notes.txt'))).toBe(false);
  });
});
