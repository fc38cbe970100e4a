// Bench-only, run by bench/lib/scan-run.mjs through tsx:
//   scan-node.ts scan <file>...        scanSource over openFileSource, one JSON line per file
//   scan-node.ts hash-vs-scan <file>   digests alone, then digests and scan at once (as the file-job worker does)
//   scan-node.ts read-once <file>      bytes read by the CLI's hash + scan of a file, sharing reads or not
//   scan-node.ts decode <file>         the bzip2 (.bz2) or LZMA-alone (.lzma) decoder alone, one JSON line
import { openFileSource } from '../src/lib/node/file-source';
import { scanSource } from '../src/lib/core/scan';
import { digestSource, MultiHasher } from '../src/lib/core/hash/multi-digest';
import type { ByteSource } from '../src/lib/core/bytes/byte-source';
import { sharedReads } from '../src/lib/core/bytes/shared-reads';
import { cliHasher } from '../src/lib/node/analyse-file';
import { readAll } from '../src/lib/core/bytes/byte-source';
import { decodeBzip2 } from '../src/lib/core/formats/compressed/bzip2';
import { decodeLzmaAlone } from '../src/lib/core/formats/compressed/lzma-alone';

const [mode, ...paths] = process.argv.slice(2);
const seconds = (t0: number) => +((performance.now() - t0) / 1000).toFixed(3);

function counting(src: ByteSource, add: (n: number) => void): ByteSource {
  return {
    name: src.name,
    size: src.size,
    read: async (o, l) => {
      const b = await src.read(o, l);
      add(b.length);
      return b;
    },
    sub: (o, l, n) => counting(src.sub(o, l, n), add)
  };
}

for (const path of paths) {
  const { source, close } = await openFileSource(path);
  try {
    if (mode === 'decode') {
      const data = await readAll(source);
      const t0 = performance.now();
      let bytes = 0;
      if (path.endsWith('.bz2')) {
        for (const _ of decodeBzip2(data, { write: (b) => (bytes += b.length) }));
      } else bytes = decodeLzmaAlone(data, 2 ** 31).length;
      const s = seconds(t0);
      console.log(
        JSON.stringify({
          path,
          decodedMB: +(bytes / 1e6).toFixed(1),
          seconds: s,
          MBps: +(bytes / 1e6 / s).toFixed(1)
        })
      );
    } else if (mode === 'scan') {
      let bytesRead = 0;
      const t0 = performance.now();
      const report = await scanSource(counting(source, (n) => (bytesRead += n)));
      const s = seconds(t0);
      const { formats, verdict, complete } = report;
      const findings = report.findings.map((f) => f.ruleId);
      console.log(
        JSON.stringify({
          path,
          size: source.size,
          seconds: s,
          GBps: +(source.size / 1e9 / s).toFixed(2),
          bytesRead,
          formats,
          verdict,
          complete,
          findings
        })
      );
    } else if (mode === 'read-once') {
      // As analyseFile does (node:crypto, shared reads), then with the hash and the scan each reading.
      let shared = 0;
      let t0 = performance.now();
      const reads = sharedReads(counting(source, (n) => (shared += n)));
      const scanning = scanSource(reads.scan).finally(() => reads.scanDone());
      await Promise.all([digestSource(reads.hash, {}, cliHasher()), scanning]);
      const sharedSeconds = seconds(t0);
      let separate = 0;
      t0 = performance.now();
      const counted = counting(source, (n) => (separate += n));
      await Promise.all([digestSource(counted, {}, cliHasher()), scanSource(counted)]);
      console.log(
        JSON.stringify({
          path,
          size: source.size,
          sharedBytesRead: shared,
          sharedSeconds,
          separateBytesRead: separate,
          separateSeconds: seconds(t0)
        })
      );
    } else {
      const hasher = await MultiHasher.create();
      let t0 = performance.now();
      const alone = await digestSource(source, {}, hasher);
      const hashAlone = seconds(t0);
      t0 = performance.now();
      const [both] = await Promise.all([digestSource(source, {}, hasher), scanSource(source)]);
      const hashWithScan = seconds(t0);
      if (both.sha256 !== alone.sha256) throw new Error('digest differs when scanning alongside');
      console.log(
        JSON.stringify({
          path,
          hashAloneSeconds: hashAlone,
          hashWithScanSeconds: hashWithScan,
          slowdown: +(hashWithScan / hashAlone - 1).toFixed(3)
        })
      );
    }
  } finally {
    await close();
  }
}
