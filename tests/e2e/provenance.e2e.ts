import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page, type Request } from '@playwright/test';
import { digestsOf, dropPaths, tempDir, writeTree } from './helpers';
import {
  BERT,
  BERT_COMMIT,
  API,
  bertRepo,
  fixture,
  FixtureHub,
  JSON_HEADERS,
  serveHub,
  tokenizerConfig,
  tokenizerEtag,
  treeEntry
} from './provenance-hub';
import { describeShared } from './shared';
import { BERT_CACHE_FOLDER, buildHubCache } from '../unit/hub-cache';

describeShared('provenance against recorded Hub responses', () => {
  /** The commit as the recorded paths-info reports it (bertHub serves it as the commit's history). */
  const LAST_COMMIT = fixture(
    'reconstructed__paths-info-expand__google-bert_bert-base-uncased__tf_model.h5__dd4bc8b.json'
  ).response.body[0].lastCommit as { title: string };
  const enc = (text: string) => new TextEncoder().encode(text);
  const TOKEN = 'hf_e2eNeverLeakThisToken0123456789';

  const TOKENIZER_CONFIG = tokenizerConfig();
  const TOKENIZER_ETAG = tokenizerEtag();

  /** The repo at the commit: real bytes where the fixtures have them (tokenizer_config.json), made-up otherwise. */
  const REPO: Record<string, Uint8Array> = {
    '.gitattributes': enc('*.safetensors filter=lfs diff=lfs merge=lfs -text\n'),
    '1_Pooling/config.json': enc('{"pooling_mode_mean_tokens": true}\n'),
    'config.json': enc('{"architectures": ["BertForMaskedLM"], "model_type": "bert"}\n'),
    'model.safetensors': new Uint8Array(256 * 1024).map((_, i) => (i * 131) % 251),
    'tokenizer_config.json': TOKENIZER_CONFIG,
    'vocab.txt': enc('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n')
  };
  const LFS = ['model.safetensors'];

  function match(page: Page, path: string) {
    return page.locator(`[data-testid="match-list"] li[data-path="${path}"]`);
  }

  /** Every request except same-origin GETs of the app itself. */
  function recordForeign(page: Page, baseURL: string): string[] {
    const seen: string[] = [];
    const origin = new URL(baseURL).origin;
    const record = (r: Request) => {
      const u = new URL(r.url());
      if (r.method() !== 'GET' || u.origin !== origin) seen.push(`${r.method()} ${r.url()}`);
    };
    page.on('request', record);
    page.context().on('request', record);
    return seen;
  }

  test('fetch a commit, drop a folder with one tampered and one missing file, export and share', async ({
    page,
    baseURL
  }) => {
    expect(treeEntry('tokenizer_config.json', TOKENIZER_CONFIG).oid).toBe(TOKENIZER_ETAG);
    const hub = bertRepo(REPO, LFS);
    await serveHub(page, hub);
    const dir = tempDir();
    try {
      const tampered = REPO['model.safetensors'].slice();
      tampered[1000] ^= 0xff;
      const { ['vocab.txt']: _missing, ...present } = REPO;
      writeTree(join(dir.path, 'downloads'), {
        ...Object.fromEntries(Object.entries(present).map(([p, b]) => [`bert/${p}`, b])),
        'bert/model.safetensors': tampered,
        'bert/notes.txt': enc('my own notes\n')
      });

      await page.goto('/provenance');
      await page.getByLabel('Repo id or Hub URL').fill(`https://huggingface.co/${BERT}`);
      await page.getByLabel(/Access token/).fill(TOKEN);
      expect(hub.requests).toHaveLength(0);
      await page.getByRole('button', { name: 'Fetch from the Hub' }).click();

      await expect(page.getByTestId('resolved-commit')).toHaveText(BERT_COMMIT);
      const summary = page.getByTestId('manifest-summary');
      await expect(summary.locator('[data-fact="license"]')).toHaveText('apache-2.0');
      await expect(summary.locator('[data-fact="library"]')).toHaveText('transformers');
      await expect(summary.locator('[data-fact="pipeline"]')).toHaveText('fill-mask');
      await expect(summary.locator('[data-fact="gated"]')).toHaveText('no');
      await expect(page.getByTestId('last-commit')).toContainText(LAST_COMMIT.title);
      // Every page of the listing was followed (two pages of three entries).
      const treeCalls = hub.requests.filter((r) => r.url.includes('/tree/'));
      expect(treeCalls).toHaveLength(2);
      expect(hub.unrouted).toEqual([]);
      // The token went to the Hub, in a header, and nowhere else.
      expect(hub.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);

      await dropPaths(page, [join(dir.path, 'downloads', 'bert')]);
      for (const path of ['.gitattributes', '1_Pooling/config.json', 'config.json', 'tokenizer_config.json'])
        await expect(match(page, path)).toHaveAttribute('data-match', 'verified');
      await expect(match(page, 'model.safetensors')).toHaveAttribute('data-match', 'mismatch');
      const model = match(page, 'model.safetensors');
      await expect(model.locator('[data-kind="expected"]')).toHaveText(
        digestsOf(REPO['model.safetensors']).sha256
      );
      await expect(model.locator('[data-kind="actual"]')).toHaveText(digestsOf(tampered).sha256);
      await expect(match(page, 'vocab.txt')).toHaveAttribute('data-match', 'missing');
      await expect(match(page, 'notes.txt')).toHaveAttribute('data-match', 'extra');
      await expect(page.getByTestId('match-summary')).toContainText('4 verified · 1 mismatch · 1 missing');

      // Exports: the manifest (JSON, YAML) and the in-toto Statement, none holding the token.
      const digest = (await page.getByTestId('manifest-digest').textContent())!.trim();
      const downloads: Record<string, string> = {};
      for (const name of ['Download JSON', 'Download YAML', 'Download in-toto Statement']) {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name }).click()
        ]);
        downloads[download.suggestedFilename()] = readFileSync(await download.path(), 'utf8');
      }
      const json = downloads[`google-bert_bert-base-uncased@${BERT_COMMIT.slice(0, 7)}.manifest.json`];
      const manifest = JSON.parse(json);
      expect(manifest.digest.value).toBe(digest);
      expect(manifest.source.resolvedCommit).toBe(BERT_COMMIT);
      expect(manifest.authenticated).toBe(true);
      // The manifest is the commit's claim: the local check (a mismatch, a missing and an extra file) is
      // shown on the page, not written into it, so its digest is the same before and after the drop.
      expect(manifest.files.every((f: { status: string }) => f.status === 'not-checked')).toBe(true);
      expect(manifest.extraLocalFiles).toEqual([]);
      const statement = JSON.parse(
        downloads[`google-bert_bert-base-uncased@${BERT_COMMIT.slice(0, 7)}.intoto.json`]
      );
      expect(statement._type).toBe('https://in-toto.io/Statement/v1');
      expect(statement.subject.map((s: { name: string }) => s.name)).toContain('model.safetensors');
      expect(Object.keys(downloads).some((n) => n.endsWith('.manifest.yaml'))).toBe(true);

      const link = await page.getByTestId('share-link').inputValue();
      expect(link).toMatch(/\/provenance#m=[A-Za-z0-9_-]+$/);
      for (const text of [...Object.values(downloads), link, page.url()]) expect(text).not.toContain(TOKEN);
      expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(TOKEN);

      // A share link opened in a fresh page verifies a drop without any request.
      const fresh = await page.context().browser()!.newContext();
      const other = await fresh.newPage();
      try {
        await other.route(/huggingface\.co/, (route) => route.abort());
        await other.goto(link);
        await expect(other.getByTestId('manifest-digest')).toHaveText(digest);
        await expect(other.getByTestId('drop-invite')).toBeVisible();
        await other.waitForLoadState('networkidle');
        const foreign = recordForeign(other, baseURL!);
        await dropPaths(other, [join(dir.path, 'downloads', 'bert')]);
        await expect(match(other, 'config.json')).toHaveAttribute('data-match', 'verified');
        await expect(match(other, 'model.safetensors')).toHaveAttribute('data-match', 'mismatch');
        await expect(match(other, 'vocab.txt')).toHaveAttribute('data-match', 'missing');
        await expect(other.getByTestId('match-summary')).toContainText('4 verified');

        // The downloaded manifest file re-verifies the same way; an edited one is refused.
        writeTree(dir.path, {
          'saved/manifest.json': enc(json),
          'saved/edited.json': enc(json.replace('"vocab.txt"', '"vocab2.txt"'))
        });
        await other.getByTestId('manifest-input').setInputFiles(join(dir.path, 'saved/edited.json'));
        await expect(other.locator('[data-problem="manifest"]')).toContainText('altered or corrupted');
        await other.getByTestId('manifest-input').setInputFiles(join(dir.path, 'saved/manifest.json'));
        await expect(other.getByTestId('manifest-summary')).toContainText('Loaded from manifest.json');
        await expect(other.getByTestId('manifest-digest')).toHaveText(digest);
        await expect(match(other, 'model.safetensors')).toHaveAttribute('data-match', 'mismatch');
        expect(foreign).toEqual([]);
      } finally {
        await fresh.close();
      }
    } finally {
      dir.remove();
    }
  });

  test('a --local-dir download alone is checked against its own metadata, with no request', async ({
    page,
    baseURL
  }) => {
    const COMMIT = '1a7dd4986e3dab699c24ca19b2afd0f5e1a80f37';
    const dir = tempDir();
    try {
      writeTree(dir.path, {
        'model/tokenizer_config.json': TOKENIZER_CONFIG,
        'model/.cache/huggingface/.gitignore': enc('*'),
        'model/.cache/huggingface/download/tokenizer_config.json.metadata': enc(
          `${COMMIT}\n${TOKENIZER_ETAG}\n1712656091.123\n`
        )
      });
      await page.goto('/provenance');
      await page.waitForLoadState('networkidle');
      const foreign = recordForeign(page, baseURL!);
      await dropPaths(page, [join(dir.path, 'model')]);
      await expect(page.getByTestId('layout-commit')).toHaveText(COMMIT);
      await expect(page.getByLabel(/Revision/)).toHaveValue(COMMIT);
      await expect(match(page, 'tokenizer_config.json')).toHaveAttribute('data-match', 'verified');
      expect(foreign).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  test('Hub failures are explained: not found, rate limited, and a damaged share link', async ({ page }) => {
    const hub = bertRepo(REPO, LFS);
    hub.route(`https://huggingface.co/api/models/${BERT}/revision/v9?securityStatus=true`, {
      status: 429,
      headers: { 'retry-after': '42', 'content-type': 'application/json' },
      body: { error: 'rate limited' }
    });
    await serveHub(page, hub);
    await page.goto('/provenance');
    await page.getByLabel('Repo id or Hub URL').fill('someone/does-not-exist');
    await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
    await expect(page.locator('[data-problem="repo-not-found"]')).toContainText('does not exist');

    await page.getByLabel('Repo id or Hub URL').fill(BERT);
    await page.getByLabel(/Revision/).fill('v9');
    await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
    // Retry-After is not in the Hub's exposed headers, so the page cannot read it and says when limits reset.
    await expect(page.locator('[data-problem="rate-limited"]')).toContainText('5 minutes');
    await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();

    await page.goto('/provenance#m=not*base64');
    await expect(page.locator('[data-problem="manifest"]')).toContainText('damaged');
  });

  test('compare with the Hub now: the default branch moved and one file changed', async ({ page }) => {
    const hub = bertRepo(REPO, LFS);
    await serveHub(page, hub);
    await page.goto('/provenance');
    await page.getByLabel('Repo id or Hub URL').fill(BERT);
    await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
    await expect(page.getByTestId('resolved-commit')).toHaveText(BERT_COMMIT);

    const moved = 'f'.repeat(40);
    const changed = { ...REPO, 'config.json': enc('{"model_type": "bert", "patched": true}\n') };
    hub
      .route(`${API}?expand=sha`, { status: 200, body: { _id: 'x', id: BERT, sha: moved } })
      .route(`${API}/tree/${moved}?recursive=true&expand=false`, {
        status: 200,
        body: Object.entries(changed).map(([p, b]) => treeEntry(p, b, LFS.includes(p)))
      });
    await page.getByRole('button', { name: 'Compare with the Hub now' }).click();
    const drift = page.getByTestId('drift');
    await expect(drift).toHaveAttribute('data-moved', 'true');
    await expect(drift).toContainText('config.json changed');
    await expect(drift).not.toContainText('vocab.txt');
  });

  test('a request failing before any answer (network, proxy, CORS) and being offline are told apart', async ({
    page,
    context
  }) => {
    // A CORS refusal reaches the page exactly like a dropped connection: fetch rejects with a TypeError.
    await page.route(/huggingface\.co/, (route) => route.abort('failed'));
    await page.goto('/provenance');
    await page.getByLabel('Repo id or Hub URL').fill(BERT);
    await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
    await expect(page.locator('[data-problem="network"]')).toContainText('CORS');

    await context.setOffline(true);
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(page.locator('[data-problem="offline"]')).toContainText('offline');
    await context.setOffline(false);
  });

  test('a gated repo shows its facts; a private repo asks for a token', async ({ page }) => {
    const GATED = 'recorded__model-info__gated-manual__meta-llama_Llama-3.1-8B-Instruct__2025-03-21.json';
    const info = fixture(GATED);
    const api = info.request.url as string;
    const commit = info.response.body.sha as string;
    const weights = new Uint8Array(1024).fill(3);
    // Metadata and tree of a gated repo are public; the tree may redact xetHash for callers without access.
    const redacted = fixture('thirdparty__tree-redacted-xethash__gated.json').response_excerpt.xetHash;
    const hub = new FixtureHub()
      .recorded(GATED, `${api}?securityStatus=true`)
      .route(`${api}/tree/${commit}?recursive=true&expand=false`, {
        status: 200,
        headers: JSON_HEADERS,
        body: [{ ...treeEntry('model.safetensors', weights, true), xetHash: redacted }]
      })
      .route('https://huggingface.co/api/models/someone/private-model?securityStatus=true', {
        status: 401,
        headers: { 'x-error-message': 'Invalid username or password.' },
        body: { error: 'Invalid username or password.' }
      });
    await serveHub(page, hub);
    await page.goto('/provenance');
    await page
      .getByLabel('Repo id or Hub URL')
      .fill('https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct');
    await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
    await expect(page.getByTestId('resolved-commit')).toHaveText(commit);
    await expect(page.locator('[data-fact="gated"]')).toHaveText('yes (manual)');
    await expect(page.locator('[data-fact="license"]')).toContainText('llama3.1');
    // Nothing dropped yet: an invitation, not a list of "missing" files.
    await expect(page.getByTestId('drop-invite')).toContainText("this commit's 1 file.");
    await expect(page.getByTestId('match-list')).toHaveCount(0);

    await page.getByLabel('Repo id or Hub URL').fill('someone/private-model');
    await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
    await expect(page.locator('[data-problem="unauthorized"]')).toContainText('token with read access');

    // The token stays in memory unless the user opts in to this tab's sessionStorage.
    const token = page.getByLabel(/Access token/);
    await token.fill('hf_rememberedForThisTab');
    await page.reload();
    await expect(token).toHaveValue('');
    await token.fill('hf_rememberedForThisTab');
    await page.getByLabel(/Keep the token/).check();
    await page.reload();
    await expect(token).toHaveValue('hf_rememberedForThisTab');
    await page.getByLabel(/Keep the token/).uncheck();
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain('hf_remembered');
  });

  for (const form of ['symlink', 'text'] as const) {
    test(`a dropped hub cache folder (snapshot links as ${form}) pre-fills the repo and commit and verifies`, async ({
      page,
      baseURL
    }) => {
      const cache = join(buildHubCache(form), BERT_CACHE_FOLDER);
      const main = readFileSync(join(cache, 'refs/main'), 'utf8').trim();
      await page.goto('/provenance');
      await page.waitForLoadState('networkidle');
      const foreign = recordForeign(page, baseURL!);
      await dropPaths(page, [cache]);
      await expect(page.getByTestId('local-layout')).toHaveAttribute('data-kind', 'hub-cache');
      await expect(page.getByLabel('Repo id or Hub URL')).toHaveValue(BERT);
      await expect(page.getByLabel(/Revision/)).toHaveValue(main);
      if (form === 'text') {
        await expect(match(page, 'tokenizer_config.json')).toHaveAttribute('data-match', 'verified');
      } else {
        // Chromium does not list symlinks in a dropped folder: the blob is checked under its own name, and
        // the page says why the snapshot's files are not there.
        await expect(match(page, `blobs/${TOKENIZER_ETAG}`)).toHaveAttribute('data-match', 'verified');
        await expect(page.getByTestId('local-layout')).toContainText('browsers skip symbolic links');
      }
      await expect(page.locator('[data-testid="match-list"] li[data-match="extra"]')).toHaveCount(0);
      expect(foreign).toEqual([]);
    });
  }
});
