// A local emulation of the Hub's API and file endpoints on 127.0.0.1, for unit, CLI, browser tests and the
// benchmark. Two origins, as on the real Hub: the Hub itself (API, resolve/, the same-host resolve cache) and a
// file CDN that LFS/Xet downloads are redirected to with 302. Responses follow the recorded captures in
// ../shared/fixtures/huggingface (thirdparty__resolve-HEAD__…, thirdparty__cors-and-ratelimit-headers__…,
// reconstructed__tree__…): the 307/302 hops and their X-Repo-Commit / X-Linked-Size / X-Linked-Etag /
// X-Xet-Hash / Link headers, the Hub's reflected-Origin CORS with its expose list, the CDN's `*` CORS, Range
// with Content-Range, 416, and tree pagination with Link rel="next". Faults (429, 5xx, cut bodies) are injected
// per path so retries and partial failures are real HTTP.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bytes in memory, or a region of a file on disk (sparse multi-GB files for the benchmark). */
export type EmulatedContent = Uint8Array | { fsPath: string; size: number; sha256: string };

export interface EmulatedFile {
  content: EmulatedContent;
  /** Stored in LFS/Xet: listed with lfs.oid and served by redirect to the CDN. */
  lfs?: boolean;
  /** The Hub's own scan status (securityFileStatus.status) when the listing is expanded. */
  securityStatus?: string;
  /** Bytes actually served instead of `content` (a tampered mirror); the listing still describes `content`. */
  served?: Uint8Array;
}

export interface EmulatedRepo {
  repoId: string;
  commit: string;
  /** Branch names that resolve to `commit`. */
  branches?: string[];
  files: Record<string, EmulatedFile>;
  /** Private repos need `Authorization: Bearer <token>` on every Hub request (never on the CDN). */
  token?: string;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; times: number }
  | { kind: 'cut'; times: number }
  | { kind: 'ignore-range'; times: number };

export interface SeenRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Bytes of file content sent in the body. */
  bytes: number;
}

export interface HubEmulator {
  hub: string;
  cdn: string;
  requests: SeenRequest[];
  /** Injects `fault` on the next requests for repo path `path` (on whichever server serves its bytes). */
  fault(path: string, fault: Fault): void;
  /** Bytes of file content sent so far. */
  bytesServed(): number;
  /** Most content requests that were being answered at the same moment. */
  maxConcurrent(): number;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  repos: EmulatedRepo[];
  /** Tree entries per page (the Hub pages at 1000, 50 when expanded). */
  pageSize?: number;
  /** Origin written into the 302 Location for LFS files (e.g. the real CDN host when a browser test maps it). */
  cdnLocationOrigin?: string;
  /** Delay before answering a content request, so concurrency can be observed. */
  contentDelayMs?: number;
}

/** The Hub's Access-Control-Expose-Headers as recorded in 2026 (thirdparty__cors-and-ratelimit-headers). */
export const HUB_EXPOSED_HEADERS =
  'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function contentSize(c: EmulatedContent): number {
  return c instanceof Uint8Array ? c.length : c.size;
}

function contentSha256(c: EmulatedContent): string {
  return c instanceof Uint8Array ? sha256Hex(c) : c.sha256;
}

function readContent(c: EmulatedContent, start: number, end: number): Uint8Array {
  if (c instanceof Uint8Array) return c.subarray(start, end);
  const out = new Uint8Array(end - start);
  const fd = openSync(c.fsPath, 'r');
  try {
    let got = 0;
    while (got < out.length) {
      const n = readSync(fd, out, got, out.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** The tree entry the Hub lists for a file (recorded shape: type, oid, size, [lfs, xetHash], path). */
export function treeEntry(path: string, file: EmulatedFile, expand: boolean): Record<string, unknown> {
  const size = contentSize(file.content);
  const status = expand && file.securityStatus ? { securityFileStatus: { status: file.securityStatus } } : {};
  if (!file.lfs) {
    if (!(file.content instanceof Uint8Array)) throw new Error(`${path}: non-LFS files must be in memory`);
    return { type: 'file', oid: gitBlobSha1(file.content), size, path, ...status };
  }
  const oid = contentSha256(file.content);
  const pointer = new TextEncoder().encode(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`
  );
  return {
    type: 'file',
    oid: gitBlobSha1(pointer),
    size,
    lfs: { oid, size, pointerSize: pointer.length },
    xetHash: sha256Hex(`xet:${oid}`),
    path,
    ...status
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  );
}

function decodePath(raw: string): string[] {
  return raw.split('/').map((s) => decodeURIComponent(s));
}

export async function startHubEmulator(options: EmulatorOptions): Promise<HubEmulator> {
  const requests: SeenRequest[] = [];
  const faults = new Map<string, Fault[]>();
  let served = 0;
  const pageSize = options.pageSize ?? 1000;
  const repos = new Map(options.repos.map((r) => [r.repoId, r]));
  const hubServer = createServer();
  const cdnServer = createServer();
  const hub = await listen(hubServer);
  const cdn = await listen(cdnServer);
  const cdnLocation = options.cdnLocationOrigin ?? cdn;
  // CDN object id → the file it serves (the real CDN keys objects by Xet hash and signs the URL).
  const objects = new Map<string, { repo: EmulatedRepo; path: string; file: EmulatedFile }>();
  for (const repo of options.repos)
    for (const [path, file] of Object.entries(repo.files))
      if (file.lfs) objects.set(sha256Hex(`xet:${contentSha256(file.content)}`), { repo, path, file });

  const takeFault = (path: string): Fault | undefined => {
    const list = faults.get(path);
    const f = list?.[0];
    if (!f) return undefined;
    if (--f.times <= 0) list.shift();
    return f;
  };

  const hubCors = (req: IncomingMessage): Record<string, string> => ({
    'access-control-allow-origin': req.headers.origin ?? 'https://huggingface.co',
    'access-control-expose-headers': HUB_EXPOSED_HEADERS,
    vary: 'Origin'
  });
  const cdnCors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' };

  const send = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string | Uint8Array = ''
  ) => {
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const preflight = (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) =>
    send(res, 204, {
      ...cors,
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'authorization, range, accept, content-type',
      'access-control-max-age': '86400'
    });

  let active = 0;
  let maxActive = 0;
  /** Counts the request as active until its response is finished, after the configured delay. */
  const delayed = (res: ServerResponse, answer: () => void) => {
    active++;
    maxActive = Math.max(maxActive, active);
    res.on('close', () => active--);
    if (options.contentDelayMs) setTimeout(answer, options.contentDelayMs);
    else answer();
  };

  /** Serves content with Range, as both the resolve cache and the CDN do. */
  const serveBytes = (
    req: IncomingMessage,
    res: ServerResponse,
    seen: SeenRequest,
    path: string,
    file: EmulatedFile,
    headers: Record<string, string>
  ) => {
    const content = file.served ?? file.content;
    const size = contentSize(content);
    const fault = takeFault(path);
    if (fault?.kind === 'status') {
      send(res, fault.status, {
        ...headers,
        ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {})
      });
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (!m || fault?.kind === 'ignore-range') {
      // Whole file (no Range): stream it, so a client that cancels early costs little.
      res.writeHead(200, { ...headers, 'content-length': String(size), 'accept-ranges': 'bytes' });
      let at = 0;
      const pump = () => {
        while (at < size) {
          const chunk = readContent(content, at, Math.min(size, at + 256 * 1024));
          at += chunk.length;
          served += chunk.length;
          seen.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (at = size));
      pump();
      return;
    }
    const start = Number(m[1]);
    const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start >= size || end < start) {
      send(res, 416, { ...headers, 'content-range': `bytes */${size}` });
      return;
    }
    const body = readContent(content, start, end + 1);
    const sent = fault?.kind === 'cut' ? body.subarray(0, Math.floor(body.length / 2)) : body;
    served += sent.length;
    seen.bytes += sent.length;
    res.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': String(body.length),
      'accept-ranges': 'bytes'
    });
    if (sent.length < body.length)
      res.destroy(); // the connection drops mid-body
    else res.end(sent);
  };

  const authorized = (req: IncomingMessage, repo: EmulatedRepo) =>
    !repo.token || req.headers.authorization === `Bearer ${repo.token}`;

  const commitOf = (repo: EmulatedRepo, rev: string): string | null =>
    rev === repo.commit || (repo.branches ?? ['main']).includes(rev) ? repo.commit : null;

  /** "org/name/rest…" → the repo and the remaining segments. */
  const findRepo = (segments: string[]): { repo: EmulatedRepo; rest: string[] } | null => {
    const repo = repos.get(segments.slice(0, 2).join('/'));
    return repo ? { repo, rest: segments.slice(2) } : null;
  };

  const notFound = (res: ServerResponse, cors: Record<string, string>, code: string) =>
    send(
      res,
      404,
      { ...cors, 'x-error-code': code, 'content-type': 'application/json' },
      `{"error":"${code}"}`
    );

  hubServer.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', hub);
    const seen: SeenRequest = {
      server: 'hub',
      method: req.method ?? 'GET',
      url: url.href,
      headers: req.headers,
      bytes: 0
    };
    requests.push(seen);
    const cors = hubCors(req);
    if (req.method === 'OPTIONS') return preflight(req, res, cors);
    const json = { ...cors, 'content-type': 'application/json; charset=utf-8' };
    const api = /^\/api\/models\/(.+)$/.exec(url.pathname);
    if (api) {
      const found = findRepo(decodePath(api[1]));
      if (!found) return notFound(res, cors, 'RepoNotFound');
      const { repo, rest } = found;
      if (!authorized(req, repo))
        return send(res, 401, { ...cors, 'x-error-message': 'Invalid credentials in Authorization header' });
      if (rest.length === 0 || rest[0] === 'revision') {
        const commit = rest.length === 0 ? repo.commit : commitOf(repo, rest.slice(1).join('/'));
        if (!commit) return notFound(res, cors, 'RevisionNotFound');
        return send(
          res,
          200,
          json,
          JSON.stringify({
            _id: sha256Hex(repo.repoId).slice(0, 24),
            id: repo.repoId,
            modelId: repo.repoId,
            sha: commit,
            private: Boolean(repo.token),
            gated: false,
            disabled: false,
            tags: [],
            siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename }))
          })
        );
      }
      if (rest[0] === 'tree') {
        if (commitOf(repo, rest[1] ?? '') === null) return notFound(res, cors, 'RevisionNotFound');
        const expand = url.searchParams.get('expand') === 'true';
        const entries = Object.entries(repo.files)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([path, file]) => treeEntry(path, file, expand));
        const at = Number(url.searchParams.get('cursor') ?? 0);
        const page = entries.slice(at, at + pageSize);
        const next = new URL(url);
        next.searchParams.set('cursor', String(at + pageSize));
        const link: Record<string, string> =
          at + pageSize < entries.length ? { link: `<${next.href}>; rel="next"` } : {};
        return send(res, 200, { ...json, ...link }, JSON.stringify(page));
      }
      return notFound(res, cors, 'EntryNotFound');
    }
    const cache = /^\/api\/resolve-cache\/models\/(.+)$/.exec(url.pathname);
    const resolve = /^\/(.+?)\/resolve\/(.+)$/.exec(url.pathname);
    if (cache) {
      const segments = decodePath(cache[1]);
      const found = findRepo(segments);
      const path = found?.rest.slice(1).join('/') ?? '';
      const file = found?.repo.files[path];
      if (!found || found.rest[0] !== found.repo.commit || !file || file.lfs)
        return notFound(res, cors, 'EntryNotFound');
      if (!authorized(req, found.repo)) return send(res, 401, cors);
      const etag = gitBlobSha1(file.content as Uint8Array);
      return delayed(res, () =>
        serveBytes(req, res, seen, path, file, {
          ...cors,
          etag: `"${etag}"`,
          'x-repo-commit': found.repo.commit,
          'content-type': 'text/plain; charset=utf-8'
        })
      );
    }
    if (resolve) {
      const found = findRepo(decodePath(resolve[1]));
      if (!found) return notFound(res, cors, 'RepoNotFound');
      const [rev, ...pathParts] = decodePath(resolve[2]);
      const commit = commitOf(found.repo, rev);
      if (!commit) return notFound(res, cors, 'RevisionNotFound');
      if (!authorized(req, found.repo)) return send(res, 401, cors);
      const path = pathParts.join('/');
      const file = found.repo.files[path];
      if (!file) return send(res, 404, { ...cors, 'x-error-code': 'EntryNotFound', 'x-repo-commit': commit });
      const fault = file.lfs ? undefined : takeFault(`hub:${path}`);
      if (fault?.kind === 'status')
        return send(res, fault.status, {
          ...cors,
          ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {})
        });
      const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/');
      if (!file.lfs) {
        const etag = gitBlobSha1(file.content as Uint8Array);
        return send(res, 307, {
          ...cors,
          location: `/api/resolve-cache/models/${enc(found.repo.repoId)}/${commit}/${enc(path)}?etag=%22${etag}%22`,
          'x-repo-commit': commit,
          'x-linked-etag': `"${etag}"`
        });
      }
      const sha = contentSha256(file.content);
      const xet = sha256Hex(`xet:${sha}`);
      return send(res, 302, {
        ...cors,
        location: `${cdnLocation}/xet-bridge-us/${xet}?X-Xet-Cas-Uid=public&Expires=${Date.now() + 3_600_000}&Signature=emulated`,
        'x-repo-commit': commit,
        'x-linked-size': String(contentSize(file.content)),
        'x-linked-etag': `"${sha}"`,
        'x-xet-hash': xet,
        link: `<${hub}/api/models/${enc(found.repo.repoId)}/xet-read-token/${commit}>; rel="xet-auth"`,
        'cache-control': 'no-store'
      });
    }
    notFound(res, cors, 'RepoNotFound');
  });

  cdnServer.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', cdn);
    const seen: SeenRequest = {
      server: 'cdn',
      method: req.method ?? 'GET',
      url: url.href,
      headers: req.headers,
      bytes: 0
    };
    requests.push(seen);
    if (req.method === 'OPTIONS') return preflight(req, res, cdnCors);
    const m = /^\/xet-bridge-us\/([0-9a-f]{64})$/.exec(url.pathname);
    const object = m ? objects.get(m[1]) : undefined;
    const expires = Number(url.searchParams.get('Expires'));
    if (!object || url.searchParams.get('Signature') !== 'emulated')
      return send(res, 403, { ...cdnCors, 'content-type': 'application/xml' }, '<Error>AccessDenied</Error>');
    if (!(expires > Date.now())) return send(res, 403, cdnCors, '<Error>Request has expired</Error>');
    delayed(res, () =>
      serveBytes(req, res, seen, object.path, object.file, {
        ...cdnCors,
        etag: `"${m![1]}"`,
        'content-type': 'application/octet-stream'
      })
    );
  });

  return {
    hub,
    cdn,
    requests,
    fault(path, fault) {
      faults.set(path, [...(faults.get(path) ?? []), { ...fault }]);
    },
    bytesServed: () => served,
    maxConcurrent: () => maxActive,
    close: () =>
      Promise.all(
        [hubServer, cdnServer].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            })
        )
      ).then(() => undefined)
  };
}
