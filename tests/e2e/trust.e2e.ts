import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sealManifest, type Manifest } from '../../src/lib/core/provenance/manifest';
import { decodeManifestFragment, shareLink } from '../../src/lib/core/provenance/share-link';
import { manifestPayload, signedManifestBundle } from '../../src/lib/core/provenance/signed-manifest';
import { dssePae, IN_TOTO_PAYLOAD_TYPE } from '../../src/lib/core/signing/dsse-sign';
import { groupedFingerprint, keyFingerprint } from '../../src/lib/core/signing/key-fingerprint';
import { digestsOf, dropPaths, tempDir, writeTree } from './helpers';
import { checkState, expectNoOverflow } from './layout';
import { BERT_COMMIT, bertRepo, serveHub } from './provenance-hub';
import { describeShared } from './shared';
import { manifestOf } from '../unit/manifest-fixture';

const MODELS = join(import.meta.dirname, '../fixtures/models');
const enc = (text: string) => new TextEncoder().encode(text);
/** A real malicious PyTorch zip (torch.save of an object whose __reduce__ calls os.system). */
const MALICIOUS = new Uint8Array(readFileSync(join(MODELS, 'torch_zip_os_system.pt')));
const REPO: Record<string, Uint8Array> = {
  'config.json': enc('{"architectures": ["BertForMaskedLM"], "model_type": "bert"}\n'),
  'pytorch_model.bin': MALICIOUS
};

/** A manifest of these files (as a capture lists them) made here: no Hub, no fixture set. */
function localManifest(files: Record<string, Uint8Array>): Promise<Manifest> {
  return manifestOf(
    Object.entries(files).map(([path, bytes]) => ({ path, size: bytes.length, ...digestsOf(bytes) }) as never)
  );
}

/** A manifest of REPO opened as a share link. */
async function openLocalManifest(page: Page, baseURL: string): Promise<Manifest> {
  const manifest = await localManifest(REPO);
  await page.goto(shareLink(`${baseURL}/provenance`, manifest));
  await expect(page.getByTestId('manifest-digest')).toHaveText(manifest.digest.value);
  return manifest;
}

async function fetchCommit(page: Page): Promise<void> {
  await serveHub(page, bertRepo(REPO, ['pytorch_model.bin']));
  await page.goto('/provenance');
  await page.getByLabel('Repo id or Hub URL').fill('google-bert/bert-base-uncased');
  await page.getByRole('button', { name: 'Fetch from the Hub' }).click();
  await expect(page.getByTestId('resolved-commit')).toHaveText(BERT_COMMIT);
}

test('the Provenance page before any manifest invites, it reports no failure', async ({ page }) => {
  const dir = tempDir();
  try {
    await page.goto('/provenance');
    await expect(page.getByRole('button', { name: 'Fetch from the Hub' })).toBeEnabled();
    await expect(page.getByTestId('manifest-trust')).toHaveCount(0);
    await expect(page.getByTestId('match-list')).toHaveCount(0);
    await expect(page.getByTestId('integrity')).toHaveCount(0);
    await expect(page.getByRole('main')).not.toContainText(/missing|mismatch|does not match|failed|error/i);
    await checkState(page, 'provenance-empty');
    // Files without a manifest: what to do next, still nothing that reads as a failed check.
    writeTree(dir.path, Object.fromEntries(Object.entries(REPO).map(([p, b]) => [`model/${p}`, b])));
    await dropPaths(page, [join(dir.path, 'model')]);
    await expect(
      page.getByText('2 dropped files. Fetch a commit from the Hub or load a manifest')
    ).toBeVisible();
    await expect(page.getByTestId('match-list')).toHaveCount(0);
    await checkState(page, 'provenance-files-no-manifest');
  } finally {
    dir.remove();
  }
});

test('a malicious file listed in a manifest: integrity and safety side by side, never "verified" alone', async ({
  page,
  baseURL
}) => {
  const dir = tempDir();
  try {
    writeTree(dir.path, Object.fromEntries(Object.entries(REPO).map(([p, b]) => [`model/${p}`, b])));
    const manifest = await openLocalManifest(page, baseURL!);
    await expect(page.getByTestId('drop-invite')).toBeVisible();
    await expect(page.getByTestId('match-list')).toHaveCount(0);
    await expect(page.getByTestId('manifest-trust')).toHaveAttribute('data-state', 'unsigned');
    await dropPaths(page, [join(dir.path, 'model')]);
    const row = page.locator('[data-testid="match-list"] li[data-path="pytorch_model.bin"]');
    await expect(row).toHaveAttribute('data-match', 'verified');
    await expect(row).toHaveAttribute('data-verdict', 'critical');
    await expect(page.getByTestId('integrity')).toHaveAttribute('data-state', 'ok');
    await expect(page.getByTestId('integrity')).toContainText('All 2 files match the manifest');
    await expect(page.getByTestId('safety')).toHaveAttribute('data-worst', 'critical');
    await expect(page.getByTestId('safety')).toContainText('Do not load: 1 critical');
    await expect(page.getByText(/All 2 files verified/)).toHaveCount(0);
    await expect(page.getByTestId('manifest-digest')).toHaveText(manifest.digest.value);
    await expect(page.getByTestId('share-link-label')).toContainText('Unsigned share link');
    await checkState(page, 'provenance-link-checked');

    // The registry shows the same pair for the files it would file, and says the manifest is a claim.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Registry' }).click();
    const form = page.getByRole('form', { name: 'Add the current files to the registry' });
    await expect(form.getByTestId('integrity')).toHaveAttribute('data-state', 'ok');
    await expect(form.getByTestId('integrity')).toContainText('unsigned manifest (a claim, not a signature)');
    await expect(form.getByTestId('safety')).toHaveAttribute('data-worst', 'critical');
    await expect(form.getByTestId('safety')).toContainText('Do not load: 1 critical');
    await checkState(page, 'registry-form-critical');
  } finally {
    dir.remove();
  }
});

describeShared('against a commit fetched from the (recorded) Hub', () => {
  test('a malicious file listed in the commit: integrity and safety side by side, never "verified" alone', async ({
    page
  }) => {
    const dir = tempDir();
    try {
      writeTree(dir.path, Object.fromEntries(Object.entries(REPO).map(([p, b]) => [`bert/${p}`, b])));
      await fetchCommit(page);
      // Before anything is dropped nothing reads as a failure: no "missing", an invitation instead.
      await expect(page.getByTestId('drop-invite')).toContainText("this commit's 2 files");
      await expect(page.getByTestId('match-list')).toHaveCount(0);
      await expect(page.getByText(/missing locally/)).toHaveCount(0);
      await checkState(page, 'provenance-fetched');
      const digest = (await page.getByTestId('manifest-digest').textContent())!.trim();
      await expect(page.getByTestId('manifest-trust')).toHaveAttribute('data-state', 'unsigned');
      await expect(page.getByTestId('manifest-trust')).toContainText('Unsigned claim');

      await dropPaths(page, [join(dir.path, 'bert')]);
      const row = page.locator('[data-testid="match-list"] li[data-path="pytorch_model.bin"]');
      await expect(row).toHaveAttribute('data-match', 'verified');
      await expect(row).toHaveAttribute('data-verdict', 'critical');
      await expect(page.getByTestId('integrity')).toHaveAttribute('data-state', 'ok');
      await expect(page.getByTestId('integrity')).toContainText('All 2 files match the commit');
      const safety = page.getByTestId('safety');
      await expect(safety).toHaveAttribute('data-worst', 'critical');
      await expect(safety).toHaveAttribute('data-state', 'bad');
      await expect(safety).toContainText('Do not load: 1 critical');
      await expect(page.getByText('All 2 files verified')).toHaveCount(0);
      // The claim's digest does not change because files were dropped and checked against it.
      await expect(page.getByTestId('manifest-digest')).toHaveText(digest);
      await expect(page.getByTestId('share-link-label')).toHaveAttribute('data-signed', 'false');
      await expect(page.getByTestId('share-link-label')).toContainText('Unsigned share link');
      await checkState(page, 'provenance-checked');

      // The registry shows the same pair for the files it would file.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Registry' }).click();
      const form = page.getByRole('form', { name: 'Add the current files to the registry' });
      await expect(form.getByTestId('integrity')).toHaveAttribute('data-state', 'ok');
      await expect(form.getByTestId('safety')).toHaveAttribute('data-worst', 'critical');
    } finally {
      dir.remove();
    }
  });
});

test('signing: a signed link verifies on open, a tampered or re-sealed one does not', async ({
  page,
  browser,
  baseURL
}) => {
  await openLocalManifest(page, baseURL!);
  await page.getByRole('button', { name: 'Create a key and sign' }).click();
  const trust = page.getByTestId('manifest-trust');
  await expect(trust).toHaveAttribute('data-state', 'verified');
  await expect(trust).toContainText('by your key');
  const own = (await page.getByTestId('own-fingerprint').textContent())!.trim();
  await expect(trust.getByTestId('signer-fingerprint')).toHaveText(own);
  await expect(page.getByTestId('share-link-label')).toHaveAttribute('data-signed', 'true');
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#m=[A-Za-z0-9_-]+&sig=[A-Za-z0-9_-]+&key=[A-Za-z0-9_-]+$/);
  const [keyDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download your public key (PEM)' }).click()
  ]);
  const pem = readFileSync(await keyDownload.path(), 'utf8');
  expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  await checkState(page, 'provenance-signed');

  // Another browser profile: the key is unknown there, the signature still verifies, by fingerprint.
  const other = await browser.newContext();
  try {
    const reader = await other.newPage();
    await reader.goto(link);
    const readerTrust = reader.getByTestId('manifest-trust');
    await expect(readerTrust).toHaveAttribute('data-state', 'verified');
    await expect(readerTrust).toContainText('by a key you do not know');
    await expect(readerTrust.getByTestId('signer-fingerprint')).toHaveText(own);
    await checkState(reader, 'provenance-link-unknown-key');

    // Trusting the analyst's key names them.
    await reader.getByLabel('Name').fill('Alice (ML platform)');
    await reader.getByLabel('Public key (PEM)').fill(pem);
    await reader.getByRole('button', { name: 'Trust this key' }).click();
    await expect(readerTrust).toContainText('by Alice (ML platform) (a key you trust)');

    // A forged manifest re-sealed with the app's own code under the real signature: invalid.
    const manifest = await decodeManifestFragment(link);
    const { digest: _digest, ...body } = structuredClone(manifest);
    body.files = body.files.map((f) => (f.path === 'config.json' ? { ...f, size: f.size + 1 } : f));
    const forged = await sealManifest(body);
    const base = link.slice(0, link.indexOf('#'));
    await reader.goto(`${shareLink(base, forged)}${link.slice(link.indexOf('&sig='))}`);
    await reader.reload();
    await expect(readerTrust).toHaveAttribute('data-state', 'invalid');
    await expect(readerTrust).toContainText('Signature does not verify');
    await checkState(reader, 'provenance-link-tampered');
    // The same forgery without the signature is what it is: an unsigned claim.
    await reader.goto(shareLink(base, forged));
    await reader.reload();
    await expect(readerTrust).toHaveAttribute('data-state', 'unsigned');
    await expect(reader.getByTestId('share-link-label')).toContainText('Unsigned share link');
  } finally {
    await other.close();
  }
});

test('every export loads back on the Provenance page, signed ones with their signer', async ({
  page,
  baseURL
}) => {
  const dir = tempDir();
  try {
    await openLocalManifest(page, baseURL!);
    const downloads: Record<string, string> = {};
    const save = async (name: string) => {
      const [d] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name }).click()
      ]);
      const path = join(dir.path, d.suggestedFilename());
      await d.saveAs(path);
      downloads[name] = path;
    };
    for (const name of ['Download JSON', 'Download YAML', 'Download in-toto Statement']) await save(name);
    await page.getByRole('button', { name: 'Create a key and sign' }).click();
    await expect(page.getByTestId('manifest-trust')).toHaveAttribute('data-state', 'verified');
    await save('Download signed manifest');
    const digest = (await page.getByTestId('manifest-digest').textContent())!.trim();

    for (const [name, state] of [
      ['Download JSON', 'unsigned'],
      ['Download YAML', 'unsigned'],
      ['Download in-toto Statement', 'unsigned'],
      ['Download signed manifest', 'verified']
    ]) {
      await page.goto('/provenance');
      await page.getByTestId('manifest-input').setInputFiles(downloads[name]);
      await expect(page.getByTestId('manifest-summary'), name).toContainText('Loaded from');
      await expect(page.getByTestId('manifest-digest')).toHaveText(digest);
      await expect(page.getByTestId('manifest-trust')).toHaveAttribute('data-state', state);
    }
    // This browser knows its own key, so the signed file names it.
    await expect(page.getByTestId('manifest-trust')).toContainText('by your key');
    await checkState(page, 'provenance-loaded-signed');
  } finally {
    dir.remove();
  }
});

test('a signed manifest of a folder with a critical file verifies on the Signatures page, verdicts beside it', async ({
  page
}) => {
  const dir = tempDir();
  try {
    // A CI key signs a manifest of the folder (as `safeload verify --key` reads it).
    const files = { 'config.json': REPO['config.json'], 'pytorch_model.bin': MALICIOUS };
    writeTree(dir.path, Object.fromEntries(Object.entries(files).map(([p, b]) => [`model/${p}`, b])));
    const manifest = await localManifest(files);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const der = sign(
      'sha256',
      dssePae(IN_TOTO_PAYLOAD_TYPE, manifestPayload(manifest)),
      createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }))
    );
    writeTree(dir.path, {
      'model/model.manifest.sigstore.json': enc(
        JSON.stringify(signedManifestBundle(manifest, der, keyFingerprint(spki)))
      )
    });
    await page.goto('/signatures');
    // The page is ready once it has loaded its trusted root.
    await expect(page.getByTestId('trust-origin')).toContainText('public-good');
    await dropPaths(page, [join(dir.path, 'model')]);
    // Who the bundle names comes first, before the form asking whom to expect (in reading order too).
    await expect(page.getByTestId('claimed-hint')).toHaveText(groupedFingerprint(keyFingerprint(spki)));
    await expect(page.getByTestId('bundle-signer')).toContainText('a public key');
    const signerFirst = await page.evaluate(() => {
      const signer = document.querySelector('[data-testid="bundle-signer"]')!;
      const expected = document.getElementById('policy-title')!;
      return Boolean(signer.compareDocumentPosition(expected) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    expect(signerFirst).toBe(true);
    await checkState(page, 'signatures-signer-first');
    await page.getByLabel('Public key', { exact: true }).check();
    await page
      .getByLabel('Public key (PEM)')
      .fill(publicKey.export({ format: 'pem', type: 'spki' }).toString());
    await page.getByTestId('verify').click();
    await expect(
      page.getByRole('heading', { name: 'Signature verified (integrity, not safety)' })
    ).toBeVisible();
    const signed = page.getByTestId('signed-files');
    await expect(signed.getByTestId('integrity')).toHaveAttribute('data-state', 'ok');
    await expect(signed.getByTestId('safety')).toHaveAttribute('data-worst', 'critical');
    await expect(signed.locator('li[data-path="pytorch_model.bin"]')).toHaveAttribute(
      'data-verdict',
      'critical'
    );
    await expect(signed.locator('li[data-path="pytorch_model.bin"]')).toHaveAttribute(
      'data-status',
      'matches'
    );
    await checkState(page, 'signatures-signed-critical');
  } finally {
    dir.remove();
  }
});

test('registry: filing a model keeps the page within 390 px; the licence from its model card; baseline vs strict in the app', async ({
  page
}) => {
  const dir = tempDir();
  try {
    // A benign torch.save state dict with a model card declaring its licence in the front matter.
    writeTree(dir.path, {
      'vendor-model/model.pt': new Uint8Array(readFileSync(join(MODELS, 'torch_state_dict.pt'))),
      'vendor-model/README.md': enc('---\nlanguage: en\nlicense: Apache-2.0\n---\n# A vendor model\n')
    });
    await page.setViewportSize({ width: 390, height: 900 });
    await page.goto('/registry');
    // The page is ready once it has read the (empty) registry.
    await expect(page.getByText('The registry is empty')).toBeVisible();
    await dropPaths(page, [join(dir.path, 'vendor-model')]);
    const form = page.getByRole('form', { name: 'Add the current files to the registry' });
    await expect(form).toContainText('Licence: apache-2.0 (model card)');
    await form.getByLabel('Version').fill('0123456789abcdef0123456789abcdef01234567');
    await expect(form).toContainText('safeload/baseline');
    await expect(form.getByTestId('integrity')).toHaveAttribute('data-state', 'none');
    await expect(form.getByTestId('safety')).toHaveAttribute('data-state', 'ok');
    await expect(form.getByRole('button', { name: 'Add to registry' })).toBeEnabled();
    await form.getByRole('button', { name: 'Add to registry' }).click();
    const detail = page.getByTestId('model-detail');
    await expect(detail).toBeVisible();
    for (const rule of ['approved-signer', 'license-allowed', 'provenance-pinned'])
      await expect(detail.locator(`[data-rule="${rule}"]`)).toHaveAttribute('data-outcome', 'not-configured');
    await expect(detail.locator('[data-rule="fully-analysed"]')).toHaveAttribute('data-outcome', 'pass');
    await expect(detail).toContainText('apache-2.0 (from the model card)');
    await expect(page.locator('tr[data-model="vendor-model"]')).toHaveAttribute('data-status', 'pass');
    await expectNoOverflow(page);
    await detail.getByText('Data as a table').first().click();
    await expectNoOverflow(page);
    await checkState(page, 'registry-filed');

    // Strict applies the requirements: the model card's licence is allowed, the signer and manifest are missing.
    await page.getByRole('link', { name: 'Policy', exact: true }).click();
    await page.getByRole('radio', { name: /^Strict/ }).check();
    await expect(page.getByTestId('live-outcome')).toHaveAttribute('data-outcome', 'fail');
    await expect(page.locator('[data-rule="approved-signer"]')).toHaveAttribute('data-outcome', 'violation');
    await expect(page.locator('[data-rule="provenance-pinned"]')).toHaveAttribute(
      'data-outcome',
      'violation'
    );
    await expect(page.locator('[data-rule="license-allowed"]')).toHaveAttribute('data-outcome', 'pass');
    await checkState(page, 'policy-strict');
    await page.getByRole('radio', { name: /^Baseline/ }).check();
    await expect(page.getByTestId('live-outcome')).toHaveAttribute('data-outcome', 'pass');
  } finally {
    dir.remove();
  }
});
