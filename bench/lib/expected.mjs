import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

/** SHA-256 and git blob SHA-1 of a file with Node's crypto (the reference the browser results must equal). */
async function digestFile(path) {
  const { size } = statSync(path);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 })) {
    sha256.update(chunk);
    sha1.update(chunk);
  }
  return { sha256: sha256.digest('hex'), gitSha1: sha1.digest('hex') };
}

/** Expected digests, cached in `cachePath` by path, size and mtime. */
export async function expectedDigests(paths, cachePath) {
  const cache = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, 'utf8')) : {};
  const out = {};
  for (const p of paths) {
    const { size, mtimeMs } = statSync(p);
    const key = `${p}:${size}:${mtimeMs}`;
    cache[key] ??= await digestFile(p);
    out[p] = cache[key];
  }
  writeFileSync(cachePath, JSON.stringify(cache));
  return out;
}
