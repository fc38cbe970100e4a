import { describe, expect, it } from 'vitest';
import { memorySource } from '../core/bytes/byte-source';
import type { Finding } from '../core/findings';
import { PickleBuilder } from '../../../tests/unit/pickle-builder';
import { scanSource } from '../core/scan';
import { evidenceRows, keyWords, payloadSummary } from './evidence-words';

async function findings(bytes: Uint8Array): Promise<Finding[]> {
  return (await scanSource(memorySource(bytes, 'x.pkl'))).findings;
}

describe('evidence in plain words', () => {
  it('says how an import is used instead of raw fields, and summarises the payload', async () => {
    const [call] = await findings(new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR."));
    const rows = evidenceRows(call);
    const labels = rows.map((r) => r.label);
    for (const raw of ['called', 'passedToACall', 'callOffset', 'calledVia', 'category']) {
      expect(labels).not.toContain(raw);
    }
    expect(rows.find((r) => r.label === 'Use')?.value).toBe(
      'Called while loading through REDUCE at offset 27.'
    );
    expect(rows.find((r) => r.label === 'Import')?.value).toBe('os.system');
    expect(payloadSummary(call)).toMatch(/^Loading calls os\.system\("echo pwned"\) — it \w/);
  });

  it('says a dynamic import is computed at load time, never "?"', async () => {
    const b = new PickleBuilder().proto(4).global('builtins', 'str').op('EMPTY_TUPLE').op('REDUCE');
    b.shortUnicode('system').op('STACK_GLOBAL').op('EMPTY_TUPLE').op('REDUCE').op('STOP');
    const dynamic = (await findings(b.bytes())).find((f) => f.ruleId === 'pickle.import.dynamic')!;
    const text = [...evidenceRows(dynamic).map((r) => r.value), payloadSummary(dynamic)].join('\n');
    expect(text).toContain('module computed at load time, name system');
    expect(text).toContain('(module computed at load time).system()');
    expect(text).not.toMatch(/\?\./);
  });

  it('turns other keys into words', () => {
    expect(keyWords('passedToACall')).toBe('Passed to a call');
    expect(keyWords('hdf5Superblock')).toBe('Hdf5 superblock');
    expect(keyWords('occurrences')).toBe('Times imported');
  });
});
