import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { warmCache } from './files.mjs';

const PY = process.env.SAFELOAD_TORCH_PYTHON ?? '/usr/bin/python3';
const lines = (s) =>
  s
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

/** Makes (or reuses) the torch and pickle inputs with Debian's python3-torch; returns their paths. */
export function scanInputs(root, work, log) {
  const dir = join(work, 'scan');
  log('scan: generating torch/pickle inputs with', PY, '…');
  execFileSync(PY, [join(root, 'bench/lib/make-scan-files.py'), dir], {
    stdio: ['ignore', 'ignore', 'inherit']
  });
  return {
    legacy: join(dir, 'legacy-1g.pt'),
    zip: join(dir, 'zip-1g.pt'),
    pickle: join(dir, 'small-opcodes-200m.pkl'),
    checkpoint512: join(dir, 'zip-512m.pt')
  };
}

/** Scanning benchmarks in Node: container throughput, pickle opcodes/s vs pickletools, hash slowdown. */
export async function runScanBench({ root, work, log }) {
  const { legacy, zip, pickle } = scanInputs(root, work, log);
  const dir = join(work, 'scan');
  const tsx = (...args) =>
    lines(
      execFileSync('npx', ['tsx', join(root, 'bench/scan-node.ts'), ...args], {
        cwd: root,
        maxBuffer: 64 << 20
      }).toString()
    );

  await warmCache([legacy, zip, pickle]);
  log('scan: scanSource over the containers and the pickle …');
  const [legacyR, zipR, pickleR] = tsx('scan', legacy, zip, pickle);
  log('scan: pickletools.genops over the same pickle …');
  const genops = JSON.parse(execFileSync(PY, [join(root, 'bench/lib/genops-count.py'), pickle]).toString());
  log('scan: hashing alone vs hashing + scanning …');
  await warmCache([zip]);
  const [slow] = tsx('hash-vs-scan', zip);

  log('scan: bytes read by the CLI hashing and scanning the pickle, sharing reads or not …');
  await warmCache([pickle]);
  const [readOnce] = tsx('read-once', pickle);

  log('scan: the largest real pickles (scikit-learn, a 5M-key vocabulary, a 200,000-tensor torch.save) …');
  const realDir = join(work, 'real-pickles');
  execFileSync(PY, [join(root, 'bench/lib/make-real-pickles.py'), realDir], {
    stdio: ['ignore', 'ignore', 'inherit']
  });
  const real = ['tfidf-pipeline.pkl', 'vocabulary-5m.pkl', 'state-dict-200k.pt', 'random-forest.joblib'];
  const realR = tsx('scan', ...real.map((f) => join(realDir, f))).map(({ findings, ...r }) => ({
    ...r,
    findings: findings.length
  }));

  log('scan: joblib-style bzip2 and LZMA-alone streams (our decoders) vs CPython decompressing them …');
  const compressed = {};
  for (const name of ['opcodes-64m.pkl.bz2', 'opcodes-64m.pkl.lzma']) {
    const path = join(dir, name);
    const [r] = tsx('scan', path);
    const [decode] = tsx('decode', path);
    const py = JSON.parse(execFileSync(PY, [join(root, 'bench/lib/decompress-time.py'), path]).toString());
    compressed[name] = {
      ...r,
      decodeSeconds: decode.seconds,
      decodeMBps: decode.MBps,
      decompressedMB: +(py.bytes / 1e6).toFixed(1),
      pythonDecompressSeconds: +py.seconds.toFixed(3)
    };
  }

  log('scan: 4 GiB safetensors and GGUF (sparse files, header-only work) …');
  const headers = lines(
    execFileSync('npx', ['tsx', join(root, 'bench/scan-headers.ts'), '--json'], { cwd: root }).toString()
  );

  const opsPerSec = (n, s) => Math.round(n / s);
  return {
    legacyTorch1GiB: legacyR,
    zipCheckpoint1GiB: zipR,
    pickle200MB: {
      ...pickleR,
      opcodes: genops.opcodes,
      safeloadOpcodesPerSecond: opsPerSec(genops.opcodes, pickleR.seconds),
      pythonGenopsOpcodesPerSecond: opsPerSec(genops.opcodes, genops.seconds),
      pythonGenopsSeconds: +genops.seconds.toFixed(3)
    },
    compressedPickle64MB: compressed,
    hashSlowdownWhenScanning: { where: 'node, one thread (as in the file-job worker)', ...slow },
    cliPickleReadOnce: readOnce,
    realPickles: realR,
    headers4GiB: Object.fromEntries(headers.map(({ name, ...r }) => [name, r])),
    targets: {
      containersAtLeast1GBps: legacyR.GBps >= 1 && zipR.GBps >= 1,
      hashSlowdownUnder10Percent: slow.slowdown < 0.1,
      pickleReadOnce: readOnce.sharedBytesRead <= readOnce.size * 1.05,
      headersUnder100ms: headers.every((h) => h.medianMs < 100),
      realPicklesFullyAnalysed: realR.every((r) => r.complete)
    }
  };
}
