import { describe, expect, it } from 'vitest';
import { memorySource } from '../../bytes/byte-source';
import { scanSource } from '../../scan';
import { callSites, torchScriptCodeFormat } from './torchscript';

const scan = (text: string, name = 'archive/code/__torch__/model.py') =>
  scanSource(memorySource(new TextEncoder().encode(text), name), { formats: [torchScriptCodeFormat] });

const CLASS = (setstate: string, forward: string) =>
  [
    'class M(Module):',
    '  def forward(self: __torch__.M, x: Tensor) -> Tensor:',
    `    ${forward}`,
    '  def __setstate__(self: __torch__.M, state: Tuple[str, bool]) -> NoneType:',
    `    ${setstate}`,
    '    return None',
    ''
  ].join('\n');

describe('TorchScript code/ analysis', () => {
  it('claims only code/__torch__ members, not other Python files', () => {
    const probe = (name: string) => ({
      head: new Uint8Array([0x61]),
      tail: new Uint8Array(0),
      name,
      size: 1
    });
    expect(torchScriptCodeFormat.sniff(probe('archive/code/__torch__/m.py'))).toBe(true);
    expect(torchScriptCodeFormat.sniff(probe('archive/code/__torch__.py'))).toBe(true);
    expect(torchScriptCodeFormat.sniff(probe('modeling_x.py'))).toBe(false);
  });

  it('finds calls and the method each sits in, ignoring strings and comments', () => {
    const sites = callSites(CLASS('x = torch.from_file("a")  # os.system(1)', 'return torch.mul(x, 2)'));
    expect(sites.map((s) => `${s.method}:${s.name}`)).toEqual([
      'forward:torch.mul',
      '__setstate__:torch.from_file'
    ]);
  });

  it('a file read in __setstate__ is critical, a custom native op anywhere high', async () => {
    const r = await scan(
      CLASS('leak = torch.from_file("/etc/passwd", False, 64)', 'return torch.ops.evil.run(x)')
    );
    expect(r.findings.map((f) => `${f.ruleId}:${f.severity}`).sort()).toEqual([
      'pytorch.torchscript.dangerous-call:critical',
      'pytorch.torchscript.native-op:high'
    ]);
  });

  it('native library loading through torch.ops is flagged; aten/prim ops and literal getattr are not', async () => {
    const bad = await scan(CLASS('torch.ops.load_library("/tmp/x.so")', 'return x'));
    expect(bad.verdict).toBe('critical');
    const ok = await scan(
      CLASS('self.scale = (state)[0]', 'return torch.ops.aten.relu(getattr(self, "0")(x))')
    );
    expect(ok.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['pytorch.torchscript-code:low']);
  });

  it("the scripted object's own methods are not library calls (self.system())", async () => {
    const r = await scan(CLASS('self.system()', 'return self.popen(x)'));
    expect(r.verdict).toBe('low');
  });
});
