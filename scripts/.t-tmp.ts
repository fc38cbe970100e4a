import { readFileSync } from 'node:fs';
import { memorySource } from '../src/lib/core/bytes/byte-source';
import { scanSource } from '../src/lib/core/scan';
import { gguf } from '../src/lib/core/formats/gguf';
for (const f of ['tiny-benign.gguf', 'tiny-benign-v1.gguf', 'template-injection.gguf', 'overlap.gguf']) {
  const r = await scanSource(memorySource(new Uint8Array(readFileSync('tests/fixtures/gguf/' + f)), f), { formats: [gguf] });
  console.log(f, r.verdict, r.complete, JSON.stringify(r.facts), r.findings.map((x) => `${x.ruleId}:${x.severity}: ${x.message.slice(0, 100)} ${x.evidence.excerpt ?? ''}`).join('\n  '));
}
