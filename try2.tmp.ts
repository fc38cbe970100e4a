import { readFileSync } from 'node:fs';
import { memorySource } from './src/lib/core/bytes/byte-source';
import { readRootAttributes } from './src/lib/core/formats/keras/hdf5-attributes';
for (const f of process.argv.slice(2)) {
  try {
    const r = await readRootAttributes(memorySource(readFileSync(f), f), 1 << 26);
    console.log(f.split('/').pop(), r.superblockVersion, r.denseStorage, r.attributes.map((a) => `${a.name}=${(a.value ?? '').slice(0, 60)}${a.skipped ?? ''}`));
  } catch (e) { console.log(f, 'ERR', String(e)); }
}
