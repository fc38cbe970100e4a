/**
 * Header-only formats must cost O(header): scans sparse 4 GiB safetensors and GGUF files (header written, the
 * rest a hole made with truncate) and prints the median scan time. Run: `npx tsx bench/scan-headers.ts`.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanSource } from '../src/lib/core/scan';
import { openFileSource } from '../src/lib/node/file-source';
import { GgufWriter, T } from '../tests/fixtures/gguf/build';

const GIB = 1024 ** 3;
const TENSOR = { dims: [4096, 4096], bytes: 4096 * 4096 * 2 }; // F16, 32 MiB
const COUNT = (4 * GIB) / TENSOR.bytes; // 128 tensors = 4 GiB of data

function sparseSafetensors(path: string): number {
  const entries: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let i = 0; i < COUNT; i++) {
    entries[`model.layers.${i}.weight`] = {
      dtype: 'F16',
      shape: TENSOR.dims,
      data_offsets: [i * TENSOR.bytes, (i + 1) * TENSOR.bytes]
    };
  }
  const header = new TextEncoder().encode(JSON.stringify(entries));
  const prefix = new Uint8Array(8 + header.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
  prefix.set(header, 8);
  writeFileSync(path, prefix);
  truncateSync(path, prefix.length + COUNT * TENSOR.bytes);
  return prefix.length + COUNT * TENSOR.bytes;
}

function sparseGguf(path: string): number {
  const tokens = Array.from({ length: 150_000 }, (_, i) => `▁token${i}`);
  const w = new GgufWriter()
    .str('general.architecture', 'llama')
    .str('general.name', 'bench-4g')
    .kv('tokenizer.ggml.tokens', { type: T.array, elementType: T.string, values: tokens })
    .kv('tokenizer.ggml.scores', { type: T.array, elementType: T.f32, values: tokens.map(() => 0) })
    .kv('tokenizer.ggml.token_type', { type: T.array, elementType: T.i32, values: tokens.map(() => 1) })
    .str(
      'tokenizer.chat_template',
      "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"
    );
  for (let i = 0; i < COUNT; i++)
    w.tensor({ name: `blk.${i}.weight`, dims: TENSOR.dims, type: 1, bytes: TENSOR.bytes });
  const { header, fileSize } = w.buildHeader();
  writeFileSync(path, header);
  truncateSync(path, fileSize);
  return fileSize;
}

async function timeScan(
  path: string,
  runs = 7
): Promise<{ median: number; verdict: string; bytesRead: number }> {
  const times: number[] = [];
  let verdict = '';
  let bytesRead = 0;
  for (let i = 0; i < runs; i++) {
    const { source, close } = await openFileSource(path);
    let read = 0;
    const counted = {
      ...source,
      read: (o: number, l: number) => source.read(o, l).then((b) => ((read += b.length), b))
    };
    const started = performance.now();
    const report = await scanSource(counted).finally(close);
    times.push(performance.now() - started);
    verdict = `${report.verdict}${report.complete ? '' : ' (incomplete)'} [${report.formats.join(',')}]`;
    bytesRead = read;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], verdict, bytesRead };
}

const dir = mkdtempSync(join(tmpdir(), 'safeload-headers-'));
try {
  const cases: [string, (p: string) => number][] = [
    ['model.safetensors', sparseSafetensors],
    ['model.gguf', sparseGguf]
  ];
  for (const [name, make] of cases) {
    const path = join(dir, name);
    const size = make(path);
    const r = await timeScan(path);
    if (process.argv.includes('--json')) {
      console.log(
        JSON.stringify({
          name,
          size,
          medianMs: +r.median.toFixed(1),
          bytesRead: r.bytesRead,
          verdict: r.verdict
        })
      );
    } else {
      console.log(
        `${name.padEnd(18)} ${(size / GIB).toFixed(2)} GiB  median ${r.median.toFixed(1)} ms  read ${(r.bytesRead / 1024).toFixed(0)} KiB  ${r.verdict}`
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
