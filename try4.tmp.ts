import { readFileSync } from 'node:fs';
import { memorySource } from './src/lib/core/bytes/byte-source';
import { scanSource } from './src/lib/core/scan';
import { kerasH5Format } from './src/lib/core/formats/keras';
const b = new Uint8Array(readFileSync('tests/fixtures/keras/benign_sequential.h5'));
b[25] = 0xff;
const r = await scanSource(memorySource(b, 'x.h5'), { formats: [kerasH5Format] });
console.log(r.findings);
