// Answers the page's real Hub requests (through page.route) from the recorded fixtures, using the same
// FixtureHub mapping the core's unit tests use; adds the CORS headers the Hub sends to a browser.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  BERT,
  BERT_COMMIT,
  bertHub,
  fixture,
  HF_FIXTURES,
  FixtureHub,
  INFO_BERT
} from '../unit/provenance-hub-fixtures';

export { BERT, BERT_COMMIT, fixture, FixtureHub, HF_FIXTURES };
export const API = `https://huggingface.co/api/models/${BERT}`;

/** The Hub's CORS exposure as recorded (2025): JS may read these response headers, and no others. */
const exposedHeaders = () => fixture(INFO_BERT).response.headers['Access-Control-Expose-Headers'] as string;
export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** Real bytes with a real Hub id: the --local-dir example's tokenizer_config.json and its recorded ETag. */
export const tokenizerConfig = () =>
  readFileSync(join(HF_FIXTURES, 'local/hf-local-dir/tokenizer_config.json'));
export const tokenizerEtag = () =>
  (
    fixture('reconstructed__resolve-fileDownloadInfo__4-cases.json').cases[2].asserted.etag as string
  ).replaceAll('"', '');

function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A tree entry in the recorded shape (`reconstructed__tree__…`: type, oid, size, [lfs, xetHash], path) for
 * content made here. LFS entries carry the git blob id of their pointer file, as the Hub lists them.
 */
export function treeEntry(path: string, bytes: Uint8Array, lfs = false): Record<string, unknown> {
  if (!lfs) return { type: 'file', oid: gitBlobSha1(bytes), size: bytes.length, path };
  const oid = sha256(bytes);
  const pointer = new TextEncoder().encode(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${bytes.length}\n`
  );
  return {
    type: 'file',
    oid: gitBlobSha1(pointer),
    size: bytes.length,
    lfs: { oid, size: bytes.length, pointerSize: pointer.length },
    xetHash: sha256(`xet:${path}`),
    path
  };
}

/**
 * bert-base-uncased's recorded repo info and commit, with a file listing built from `files` and served in
 * pages of `pageSize` entries linked by `Link: <…&cursor=…>; rel="next"`, as the Hub paginates.
 */
export function bertRepo(files: Record<string, Uint8Array>, lfsPaths: string[], pageSize = 3): FixtureHub {
  const entries = Object.entries(files).map(([path, bytes]) =>
    treeEntry(path, bytes, lfsPaths.includes(path))
  );
  const hub = bertHub().recorded(INFO_BERT, `${API}?securityStatus=true`, (b) => ({
    ...b,
    sha: BERT_COMMIT
  }));
  const first = `${API}/tree/${BERT_COMMIT}?recursive=true&expand=false`;
  for (let at = 0; at < entries.length; at += pageSize) {
    const url = at === 0 ? first : `${first}&cursor=${Buffer.from(`page-${at}`).toString('base64url')}`;
    const nextAt = at + pageSize;
    const next =
      nextAt < entries.length
        ? `${first}&cursor=${Buffer.from(`page-${nextAt}`).toString('base64url')}`
        : null;
    hub.route(url, {
      status: 200,
      headers: { ...JSON_HEADERS, ...(next ? { link: `<${next}>; rel="next"` } : {}) },
      body: entries.slice(at, nextAt)
    });
  }
  return hub;
}

/** Serves every huggingface.co request of the page from `hub`. */
export async function serveHub(page: Page, hub: FixtureHub): Promise<void> {
  const exposed = exposedHeaders();
  await page.route(
    (url) => url.hostname === 'huggingface.co',
    async (route) => {
      const request = route.request();
      const origin = request.headers()['origin'] ?? '*';
      // The Hub reflects the page's Origin (Vary: Origin) and exposes its fixed header list.
      const cors = {
        'access-control-allow-origin': origin,
        'access-control-expose-headers': exposed,
        vary: 'Origin'
      };
      if (request.method() === 'OPTIONS') {
        await route.fulfill({
          status: 204,
          headers: {
            ...cors,
            'access-control-allow-methods': 'GET, HEAD, OPTIONS',
            'access-control-allow-headers': 'authorization, accept, content-type'
          }
        });
        return;
      }
      const res = await hub.fetch(request.url(), { method: request.method(), headers: request.headers() });
      const headers: Record<string, string> = {};
      res.headers.forEach((value, key) => {
        if (!key.startsWith('access-control-')) headers[key] = value;
      });
      await route.fulfill({
        status: res.status,
        headers: { ...headers, ...cors },
        body: Buffer.from(await res.arrayBuffer())
      });
    }
  );
}
