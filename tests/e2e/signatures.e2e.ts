import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page, type Request } from '@playwright/test';
import { dropPaths, tempDir } from './helpers';
import { checkState } from './layout';
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
  await expect(page.getByTestId('signing-announcement')).toHaveText(
    /Signature verified|Verification failed|not made by the signer you expected/
  );
}

async function keyless(page: Page, identity = IDENTITY, issuer = ISSUER): Promise<void> {
  await page.getByLabel('Identity (certificate SAN').fill(identity);
  await page.getByLabel('OIDC issuer').fill(issuer);
}

const check = (page: Page, id: string) => page.locator(`li[data-check="${id}"]`);

async function expectAllGreen(page: Page, ids: string[]): Promise<void> {
  for (const id of ids) await expect(check(page, id), id).toHaveAttribute('data-ok', 'true');
  await expect(page.locator('li[data-check][data-ok="false"]')).toHaveCount(0);
  await expect(
    page.getByRole('heading', { name: 'Signature verified (integrity, not safety)' })
  ).toBeVisible();
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
      // Each signed file with its own scan verdict: the signature says who published it, not that it is safe.
      const signed = page.getByTestId('signed-files');
      await expect(signed.getByTestId('integrity')).toHaveAttribute('data-state', 'ok');
      for (const name of ['signme-1', 'signme-2']) {
        await expect(signed.locator(`li[data-path="${name}"]`)).toHaveAttribute('data-status', 'matches');
        await expect(signed.locator(`li[data-path="${name}"]`)).toHaveAttribute(
          'data-verdict',
          /^(clean|info|low)$/
        );
      }
      await expect(signed.locator('li[data-path="ignore-me"]')).toHaveAttribute('data-status', 'ignored');
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

  test('a wrong identity (even a prefix of the right one) is a valid signature by another signer', async ({
    page
  }) => {
    const dir = tempDir();
    try {
      await openAndDrop(page, copyModel(dir.path, 'v1.1.0-sigstore'));
      // The signer is on screen before anything is asked: as the bundle states it, not yet verified.
      const claimed = page.getByTestId('bundle-signer');
      await expect(claimed.getByTestId('claimed-san')).toHaveText(IDENTITY);
      await expect(claimed.getByTestId('claimed-issuer')).toHaveText(ISSUER);
      await expect(claimed.getByTestId('claimed-fingerprint')).toHaveText(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
      const order = await page.evaluate(() => {
        const signer = document.querySelector('[data-testid="bundle-signer"]')!;
        const expected = document.getElementById('identity')!;
        return signer.compareDocumentPosition(expected) & Node.DOCUMENT_POSITION_FOLLOWING;
      });
      expect(order).toBeTruthy();
      await keyless(page, 'stefanb@us.ibm');
      await verify(page);
      await expect(check(page, 'identity')).toHaveAttribute('data-ok', 'false');
      await expect(check(page, 'identity')).toContainText('certificate has stefanb@us.ibm.com');
      await expect(check(page, 'signature')).toHaveAttribute('data-ok', 'true');
      // Never "the signature did not verify": it did, and the files were checked against it.
      await expect(
        page.getByRole('heading', { name: 'Valid signature, but not by the signer you expected' })
      ).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Verification failed' })).toHaveCount(0);
      await expect(page.getByText('the signature did not verify')).toHaveCount(0);
      await expect(check(page, 'files')).toHaveAttribute('data-ok', 'true');
      await expect(page.getByTestId('signing-announcement')).toHaveText(
        'The signature is valid, but it was not made by the signer you expected.'
      );
      await checkState(page, 'signatures-wrong-signer');
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
      // The workflow claims, as the bundle names them before the check and as verified after it.
      await expect(page.getByTestId('bundle-signer').getByText('GitHub workflow repository')).toBeVisible();
      await expect(
        page.getByRole('region', { name: 'Signer', exact: true }).getByText('GitHub workflow repository')
      ).toBeVisible();

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
