import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page, type Request } from '@playwright/test';
import { dropPaths, tempDir } from './helpers';
import { describeShared, sharedPath } from './shared';

const SIGSTORE = sharedPath('fixtures/sigstore');
const MODELS = join(SIGSTORE, 'model-transparency/scripts-tests');
const KEYS = join(SIGSTORE, 'model-transparency/keys');
const IDENTITY = 'stefanb@us.ibm.com';
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';

/** A copy of a signed model folder, so a test can change bytes without touching the fixtures. */
function copyModel(root: string, name: string, as = name): string {
  const dest = join(root, as);
  cpSync(join(MODELS, name), dest, { recursive: true });
  return dest;
}

/** Every request made by the page, its workers and service worker. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  page.context().on('request', (r) => requests.push(r));
  return requests;
}

function offsite(requests: Request[], baseURL: string): string[] {
  const origin = new URL(baseURL).origin;
  return [...new Set(requests.map((r) => r.url()))].filter(
    (u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')
  );
}

async function openAndDrop(page: Page, folder: string): Promise<void> {
  await page.goto('/signatures');
  await expect(page.getByTestId('trust-origin')).toContainText('public-good');
  await dropPaths(page, [folder]);
}

async function verify(page: Page): Promise<void> {
  await expect(page.getByTestId('verify')).toBeEnabled();
  await page.getByTestId('verify').click();
  await expect(page.getByTestId('signing-announcement')).toHaveText(/Verification (succeeded|failed)/);
}

async function keyless(page: Page, identity = IDENTITY, issuer = ISSUER): Promise<void> {
  await page.getByLabel('Identity (certificate SAN').fill(identity);
  await page.getByLabel('OIDC issuer').fill(issuer);
}

const check = (page: Page, id: string) => page.locator(`li[data-check="${id}"]`);

async function expectAllGreen(page: Page, ids: string[]): Promise<void> {
  for (const id of ids) await expect(check(page, id), id).toHaveAttribute('data-ok', 'true');
  await expect(page.locator('li[data-check][data-ok="false"]')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Verification succeeded' })).toBeVisible();
}

describeShared('signatures on the recorded OpenSSF and Sigstore fixtures', () => {
  test('keyless model folder verifies with a green checklist, the signer claims and no request', async ({
    page,
    baseURL
  }) => {
    const dir = tempDir();
    try {
      const folder = copyModel(dir.path, 'v1.1.0-sigstore');
      const requests = recordRequests(page);
      await openAndDrop(page, folder);
      await expect(page.getByTestId('trust-from')).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
      await expect(page.getByLabel('Signature bundle')).toContainText('v1.1.0-sigstore/model.sig');
      await keyless(page);
      await verify(page);
      await expectAllGreen(page, [
        'bundle',
        'timestamp',
        'chain',
        'sct',
        'tlog',
        'signature',
        'identity',
        'manifest',
        'files'
      ]);
      await expect(page.getByTestId('signer-san')).toHaveText(IDENTITY);
      await expect(page.getByTestId('signer-issuer')).toHaveText(ISSUER);
      await expect(check(page, 'files')).toContainText('2 resource(s) match');
      expect(offsite(requests, baseURL!)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  test('a folder dropped on the home page is found on the Signatures page (model.sig automatic)', async ({
    page
  }) => {
    const dir = tempDir();
    try {
      const folder = copyModel(dir.path, 'v1.0.0-sigstore');
      await page.goto('/');
      await dropPaths(page, [folder]);
      await expect(page.locator('li[data-path]')).toHaveCount(3);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Signatures' }).click();
      await expect(page.getByLabel('Signature bundle')).toContainText('v1.0.0-sigstore/model.sig');
      await keyless(page);
      await verify(page);
      await expectAllGreen(page, ['signature', 'tlog', 'identity', 'files']);
    } finally {
      dir.remove();
    }
  });

  test('public-key model (single file, P-384) verifies with a PEM file', async ({ page, baseURL }) => {
    const dir = tempDir();
    try {
      const folder = copyModel(dir.path, 'v1.0.0-elliptic-key');
      const requests = recordRequests(page);
      await openAndDrop(page, folder);
      await page.getByLabel('Public key', { exact: true }).check();
      await page.locator('#public-key-file').setInputFiles(join(KEYS, 'signing-key-pub.pem'));
      await expect(page.getByText('Using the file signing-key-pub.pem')).toBeVisible();
      await verify(page);
      await expectAllGreen(page, ['bundle', 'signature', 'manifest', 'files']);
      await expect(check(page, 'signature')).toContainText('P-384');
      expect(offsite(requests, baseURL!)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  test('certificate-chain model verifies against a pasted CA', async ({ page, baseURL }) => {
    const dir = tempDir();
    try {
      const folder = copyModel(dir.path, 'v1.1.0-certificate');
      const requests = recordRequests(page);
      await openAndDrop(page, folder);
      await page.getByLabel('Certificate chain (your CA)').check();
      await page.getByLabel('CA certificate(s) (PEM)').fill(readFileSync(join(KEYS, 'ca-cert.pem'), 'utf8'));
      await verify(page);
      await expectAllGreen(page, ['bundle', 'chain', 'signature', 'manifest', 'files']);
      // v1.1 records ignore-me in the signature: it is ignored without being asked.
      await expect(page.getByText('ignored:')).toContainText('ignore-me');
      expect(offsite(requests, baseURL!)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  test('one changed byte makes the files line red and names the file in the diff', async ({ page }) => {
    const dir = tempDir();
    try {
      const folder = copyModel(dir.path, 'v1.1.0-sigstore', 'tampered');
      const path = join(folder, 'signme-2');
      const bytes = readFileSync(path);
      bytes[0] ^= 1;
      writeFileSync(path, bytes);
      await openAndDrop(page, folder);
      await keyless(page);
      await verify(page);
      await expect(page.getByRole('heading', { name: 'Verification failed' })).toBeVisible();
      await expect(check(page, 'signature')).toHaveAttribute('data-ok', 'true');
      await expect(check(page, 'files')).toHaveAttribute('data-ok', 'false');
      await expect(check(page, 'files')).toContainText("Hash mismatch for 'signme-2'");
      const row = page.locator('tr[data-file="signme-2"]');
      await expect(row).toHaveAttribute('data-status', 'mismatch');
      await expect(row).toContainText('32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028');
      await expect(page.locator('tr[data-file]')).toHaveCount(1);
    } finally {
      dir.remove();
    }
  });

  test('a wrong identity (even a prefix of the right one) makes the identity line red', async ({ page }) => {
    const dir = tempDir();
    try {
      await openAndDrop(page, copyModel(dir.path, 'v1.1.0-sigstore'));
      await keyless(page, 'stefanb@us.ibm');
      await verify(page);
      await expect(check(page, 'identity')).toHaveAttribute('data-ok', 'false');
      await expect(check(page, 'identity')).toContainText('certificate has stefanb@us.ibm.com');
      await expect(check(page, 'signature')).toHaveAttribute('data-ok', 'true');
      await expect(page.getByRole('heading', { name: 'Verification failed' })).toBeVisible();
      // The anchored regular expression is opt-in and then matches the whole SAN.
      await page.getByLabel('Anchored regular expression').check();
      await keyless(page, 'stefanb@us\\.ibm\\.com', 'https://sigstore\\.verify\\.ibm\\.com/oauth2');
      await verify(page);
      await expect(check(page, 'identity')).toHaveAttribute('data-ok', 'true');
    } finally {
      dir.remove();
    }
  });

  test('an in-toto attestation verifies against the artifact beside it; another trusted root can be loaded', async ({
    page,
    baseURL
  }) => {
    const dir = tempDir();
    try {
      const folder = join(dir.path, 'npm');
      mkdirSync(folder);
      cpSync(join(SIGSTORE, 'npm-pacote/artifact/sigstore-0.4.0.tgz'), join(folder, 'sigstore-0.4.0.tgz'));
      cpSync(
        join(SIGSTORE, 'npm-pacote/valid.provenance.bundle.json'),
        join(folder, 'sigstore-0.4.0.tgz.sigstore.json')
      );
      const requests = recordRequests(page);
      await openAndDrop(page, folder);
      await keyless(
        page,
        'https://github.com/sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v0.4.0',
        'https://token.actions.githubusercontent.com'
      );
      await verify(page);
      await expectAllGreen(page, ['bundle', 'tlog', 'chain', 'signature', 'identity', 'subject']);
      await expect(check(page, 'subject')).toContainText('sigstore-0.4.0.tgz matches subject');
      await expect(page.getByText('GitHub workflow repository')).toBeVisible();

      // The staging root (as a private instance would be): the production bundle chains to nothing it trusts.
      await page
        .locator('#trust-file')
        .setInputFiles(
          join(SIGSTORE, 'sigstore-conformance/bundle-verify/rekor2-dsse-happy-path/trusted_root.json')
        );
      await expect(page.getByTestId('trust-origin')).toHaveText('trusted_root.json');
      await verify(page);
      await expect(check(page, 'chain')).toHaveAttribute('data-ok', 'false');
      await page.getByRole('button', { name: 'Use the built-in public-good root' }).click();
      await expect(page.getByTestId('trust-origin')).toContainText('public-good');
      expect(offsite(requests, baseURL!)).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});
