// Bench-only: hashing strategies compared by bench/lab-run.mjs. Not shipped in the app.
import { createSHA1, createSHA256 } from 'hash-wasm';

const makers = { sha256: createSHA256, sha1: createSHA1 };

async function hashers(algs, size) {
  const hs = {};
  for (const a of algs) {
    hs[a] = await makers[a]();
    hs[a].init();
    if (a === 'sha1') hs[a].update(`blob ${size}\0`);
  }
  return hs;
}
const update = (hs, bytes) => {
  for (const h of Object.values(hs)) h.update(bytes);
};
const finish = (hs) => Object.fromEntries(Object.entries(hs).map(([a, h]) => [a, h.digest('hex')]));

/** Yields chunkSize Uint8Arrays (last one shorter) by slice (with `ahead` reads outstanding) or by stream. */
async function* read(file, mode, chunkSize, ahead) {
  if (mode === 'slice') {
    const pending = [];
    let next = 0;
    const fill = () => {
      while (pending.length <= ahead && next < file.size) {
        pending.push(file.slice(next, next + chunkSize).arrayBuffer());
        next += chunkSize;
      }
    };
    fill();
    while (pending.length) {
      const buf = await pending.shift();
      fill();
      yield new Uint8Array(buf);
    }
    return;
  }
  if (mode === 'byob') {
    // Fills one reused chunkSize buffer per chunk with a BYOB reader (no allocation per chunk); the consumer must
    // be done with a chunk before asking for the next.
    const reader = file.stream().getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(chunkSize);
    for (;;) {
      let fill = 0;
      while (fill < chunkSize) {
        const { done, value } = await reader.read(new Uint8Array(buf, fill, chunkSize - fill));
        if (done) {
          if (fill) yield new Uint8Array(value?.buffer ?? buf, 0, fill);
          return;
        }
        buf = value.buffer;
        fill += value.length;
      }
      yield new Uint8Array(buf, 0, fill);
    }
  }
  if (mode === 'stream-raw') {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
  // 'stream': coalesce the stream's small pieces into chunkSize buffers (one memcpy).
  const reader = file.stream().getReader();
  let buf = new Uint8Array(Math.min(chunkSize, file.size));
  let fill = 0;
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += value.length;
    let v = value;
    while (v.length) {
      const n = Math.min(v.length, buf.length - fill);
      buf.set(v.subarray(0, n), fill);
      fill += n;
      v = v.subarray(n);
      if (fill === buf.length) {
        yield buf;
        buf = new Uint8Array(Math.min(chunkSize, file.size - seen + v.length));
        fill = 0;
      }
    }
  }
  if (fill) yield buf.subarray(0, fill);
}

function acker(port, credits) {
  let inFlight = 0;
  let wake;
  port.onmessage = () => {
    inFlight--;
    wake?.();
  };
  return {
    async send(bytes, transfer) {
      while (inFlight >= credits) await new Promise((r) => (wake = r));
      inFlight++;
      if (transfer) port.postMessage(bytes, [bytes.buffer]);
      else port.postMessage(bytes);
    },
    end() {
      port.postMessage(null);
    }
  };
}

self.onmessage = async ({ data }) => {
  const t0 = performance.now();
  const { role, file, mode = 'slice', chunk = 8 << 20, ahead = 1, algs = [], credits = 3 } = data;
  if (role === 'inline') {
    const hs = await hashers(algs, file.size);
    for await (const b of read(file, mode, chunk, ahead)) update(hs, b);
    postMessage({ digests: finish(hs), ms: performance.now() - t0 });
  } else if (role === 'reader') {
    // Reads once, hashes `algs` here (after sending), sends copies to all ports but the last, transfers to the last.
    const hs = await hashers(algs, file.size);
    const outs = data.ports.map((p) => acker(p, credits));
    for await (const b of read(file, mode, chunk, ahead)) {
      for (let i = 0; i < outs.length - 1; i++) await outs[i].send(b, false);
      if (algs.length && data.hashBeforeSend) update(hs, b);
      if (outs.length)
        await outs[outs.length - 1].send(algs.length && !data.hashBeforeSend ? b.slice() : b, true);
      if (algs.length && !data.hashBeforeSend) update(hs, b);
    }
    outs.forEach((o) => o.end());
    postMessage({ digests: finish(hs), ms: performance.now() - t0 });
  } else if (role === 'cpu') {
    // Hashing speed without any reading: `rounds` updates of one 16 MiB buffer.
    const hs = await hashers(algs, 0);
    const buf = new Uint8Array(16 << 20).fill(7);
    const t1 = performance.now();
    for (let i = 0; i < data.rounds; i++) update(hs, buf);
    postMessage({ digests: finish(hs), ms: performance.now() - t1, bytes: data.rounds * buf.length });
  } else if (role === 'readonly') {
    let n = 0;
    for await (const b of read(file, mode, chunk, ahead)) n += b.length;
    postMessage({ digests: { n }, ms: performance.now() - t0 });
  } else if (role === 'feeder') {
    // BYOB-reads into a fixed pool of buffers, hashes `algs` here, transfers each filled buffer to the sink,
    // which hashes and transfers it back: memory is pool * chunk whatever the size.
    const hs = await hashers(algs, file.size);
    const port = data.ports[0];
    const free = Array.from({ length: data.pool ?? 3 }, () => new ArrayBuffer(chunk));
    let wake;
    port.onmessage = ({ data: b }) => {
      free.push(b);
      wake?.();
    };
    const reader = file.stream().getReader({ mode: 'byob' });
    let eof = false;
    while (!eof) {
      while (!free.length) await new Promise((r) => (wake = r));
      let buf = free.pop();
      let fill = 0;
      while (fill < chunk) {
        const { done, value } = await reader.read(new Uint8Array(buf, fill, chunk - fill));
        if (value) buf = value.buffer;
        if (done) {
          eof = true;
          break;
        }
        fill += value.length;
      }
      if (fill) {
        update(hs, new Uint8Array(buf, 0, fill));
        port.postMessage({ buf, len: fill }, [buf]);
      }
    }
    port.postMessage(null);
    postMessage({ digests: finish(hs), ms: performance.now() - t0 });
  } else if (role === 'poolsink') {
    const hs = await hashers(algs, data.size);
    const port = data.port;
    port.onmessage = ({ data: m }) => {
      if (m === null) return postMessage({ digests: finish(hs), ms: performance.now() - t0 });
      update(hs, new Uint8Array(m.buf, 0, m.len));
      port.postMessage(m.buf, [m.buf]);
    };
  } else if (role === 'sink') {
    const hs = await hashers(algs, data.size);
    const port = data.port;
    port.onmessage = ({ data: b }) => {
      if (b === null) {
        postMessage({ digests: finish(hs), ms: performance.now() - t0 });
        return;
      }
      update(hs, b);
      port.postMessage(1);
    };
  }
};
