// Bench-only driver for hashing strategies; bench/lab-run.mjs calls window.lab.run(strategy, fileIndexes).
const input = document.getElementById('files');
const longTasks = [];
new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration))).observe({
  type: 'longtask',
  buffered: true
});

const spawn = () => new Worker(new URL('./lab.worker.js', import.meta.url), { type: 'module' });
const call = (w, msg, transfer = []) =>
  new Promise((res, rej) => {
    w.onmessage = (e) => res(e.data);
    w.onerror = (e) => rej(new Error(e.message));
    w.postMessage(msg, transfer);
  });

const BOTH = ['sha256', 'sha1'];
/** Each strategy hashes one file with SHA-256 + git SHA-1 and returns the digests. */
const strategies = {
  async inline(file, o) {
    const w = spawn();
    const r = await call(w, { role: 'inline', file, algs: o.algs ?? BOTH, ...o });
    w.terminate();
    return r.digests;
  },
  // Reader worker → one hasher worker (both hashes).
  async readerToHasher(file, o) {
    const [r, s] = [spawn(), spawn()];
    const ch = new MessageChannel();
    const [, b] = await Promise.all([
      call(r, { role: 'reader', file, ports: [ch.port1], ...o }, [ch.port1]),
      call(s, { role: 'sink', port: ch.port2, size: file.size, algs: BOTH }, [ch.port2])
    ]);
    r.terminate();
    s.terminate();
    return b.digests;
  },
  // Two workers, each reading the file itself: one SHA-256, one SHA-1.
  async splitReadTwice(file, o) {
    const [x, y] = [spawn(), spawn()];
    const [a, b] = await Promise.all([
      call(x, { role: 'inline', file, algs: ['sha256'], ...o }),
      call(y, { role: 'inline', file, algs: ['sha1'], ...o })
    ]);
    x.terminate();
    y.terminate();
    return { ...a.digests, ...b.digests };
  },
  // A reader that also hashes SHA-1, transferring each chunk to a SHA-256 worker.
  async sha1Reader(file, o) {
    const [r, s] = [spawn(), spawn()];
    const ch = new MessageChannel();
    const [a, b] = await Promise.all([
      call(r, { role: 'reader', file, ports: [ch.port1], algs: ['sha1'], ...o }, [ch.port1]),
      call(s, { role: 'sink', port: ch.port2, size: file.size, algs: ['sha256'] }, [ch.port2])
    ]);
    r.terminate();
    s.terminate();
    return { ...a.digests, ...b.digests };
  },
  // BYOB reader (+ SHA-1 unless feederAlgs says otherwise) with a recycled buffer pool, SHA-256 in the other worker.
  async pool(file, o) {
    const [r, s] = [spawn(), spawn()];
    const ch = new MessageChannel();
    const [a, b] = await Promise.all([
      call(r, { role: 'feeder', file, ports: [ch.port1], algs: o.feederAlgs ?? ['sha1'], ...o }, [ch.port1]),
      call(s, { role: 'poolsink', port: ch.port2, size: file.size, algs: ['sha256'] }, [ch.port2])
    ]);
    r.terminate();
    s.terminate();
    return { ...a.digests, ...b.digests };
  },
  // Reader worker cloning to a SHA-1 worker and transferring to a SHA-256 worker.
  async readerToTwo(file, o) {
    const [r, s1, s2] = [spawn(), spawn(), spawn()];
    const c1 = new MessageChannel();
    const c2 = new MessageChannel();
    const [, a, b] = await Promise.all([
      call(r, { role: 'reader', file, ports: [c1.port1, c2.port1], ...o }, [c1.port1, c2.port1]),
      call(s1, { role: 'sink', port: c1.port2, size: file.size, algs: ['sha1'] }, [c1.port2]),
      call(s2, { role: 'sink', port: c2.port2, size: file.size, algs: ['sha256'] }, [c2.port2])
    ]);
    [r, s1, s2].forEach((w) => w.terminate());
    return { ...a.digests, ...b.digests };
  }
};

window.lab = {
  async raw(msg, count = 1) {
    const t0 = performance.now();
    const ws = Array.from({ length: count }, spawn);
    const rs = await Promise.all(
      ws.map((w, i) =>
        call(w, { ...msg, file: msg.file === undefined ? undefined : input.files[msg.file + i] })
      )
    );
    ws.forEach((w) => w.terminate());
    return { ms: performance.now() - t0, rs };
  },
  count: () => input.files.length,
  async run(name, indexes, opts = {}) {
    const files = indexes.map((i) => input.files[i]);
    longTasks.length = 0;
    const t0 = performance.now();
    const digests = await Promise.all(files.map((f) => strategies[name](f, opts)));
    const ms = performance.now() - t0;
    return {
      ms,
      bytes: files.reduce((s, f) => s + f.size, 0),
      digests,
      longestTask: Math.max(0, ...longTasks)
    };
  }
};
