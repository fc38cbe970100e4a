import { readFileSync } from 'node:fs';
import { memorySource } from './src/lib/core/bytes/byte-source';
import { scanSource } from './src/lib/core/scan';
for (const f of process.argv.slice(2)) {
  const t = Date.now();
  const r = await scanSource(memorySource(readFileSync(f), f));
  console.log(f.split('/').slice(-2).join('/'), Date.now() - t, 'ms', r.formats, r.verdict, r.complete, r.findings.map((x) => `${x.ruleId}:${x.severity}:${x.title} ${JSON.stringify(x.evidence).slice(0, 300)}`));
}
