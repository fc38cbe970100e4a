import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { hfConfigFormat } from '.';

const scan = (json: unknown, name = 'model/config.json') =>
  scanSource(memorySource(new TextEncoder().encode(JSON.stringify(json)), name), {
    formats: [hfConfigFormat]
  });

describe('Hugging Face config.json', () => {
  it('is clean for an ordinary config and notes its facts', async () => {
    const r = await scan({ architectures: ['BertModel'], model_type: 'bert', hidden_size: 768 });
    expect(r.verdict).toBe('clean');
    expect(r.facts).toMatchObject({ 'hf.model_type': 'bert', 'hf.architecture': 'BertModel' });
  });

  it('flags auto_map remote code and records the module files it needs', async () => {
    const r = await scan({
      model_type: 'phi',
      auto_map: {
        AutoConfig: 'configuration_phi.PhiConfig',
        AutoModelForCausalLM: 'modeling_phi.PhiForCausalLM'
      }
    });
    expect(r.verdict).toBe('medium');
    expect(r.findings[0].ruleId).toBe('hf-config.remote-code');
    expect(r.references?.map((x) => x.target).sort()).toEqual(['configuration_phi.py', 'modeling_phi.py']);
  });

  it('rates code from another repository high', async () => {
    const r = await scan({
      auto_map: { AutoModel: 'someone/else--modeling_x.XModel', AutoTokenizer: ['tok.T', null] }
    });
    expect(r.verdict).toBe('high');
    expect(r.findings.map((f) => f.ruleId)).toContain('hf-config.remote-code.other-repo');
  });
});
