// Bench-only: scanSource over a file in Node (npx tsx bench/scan-node.ts <file>...). Prints one JSON line per file.
import { openFileSource } from '../src/lib/node/file-source';
import { scanSource } from '../src/lib/core/scan';

for (const path of process.argv.slice(2)) {
  const { source, close } = await openFileSource(path);
  let bytesRead = 0;
  const counted = countingSource(source, (n) => (bytesRead += n));
  try {
    const t0 = performance.now();
    const report = await scanSource(counted);
    const ms = performance.now() - t0;
    console.log(
      JSON.stringify({
        path,
        size: source.size,
        seconds: +(ms / 1000).toFixed(3),
        GBps: +(source.size / 1e9 / (ms / 1000)).toFixed(2),
        bytesRead,
        formats: report.formats,
        verdict: report.verdict,
        complete: report.complete,
        findings: report.findings.map((f) => f.ruleId)
      })
    );
  } finally {
    await close();
  }
}

function countingSource<T extends { read(o: number, l: number): Promise<Uint8Array>; sub: Function }>(src: T, add: (n: number) => void): T {
  const wrap = (s: T): T =>
    ({
      ...s,
      name: (s as unknown as { name: string }).name,
      size: (s as unknown as { size: number }).size,
      read: async (o: number, l: number) => {
        const b = await s.read(o, l);
        add(b.length);
        return b;
      },
      sub: (o: number, l: number, n?: string) => wrap(s.sub(o, l, n))
    }) as T;
  return wrap(src);
}
