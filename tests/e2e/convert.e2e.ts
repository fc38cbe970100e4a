import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { convertCommand } from '../../src/lib/cli/convert-command';
import { PickleBuilder } from '../unit/pickle-builder';
import {
  hostileNamesCheckpoint,
  hostileRefusedCheckpoint,
  ramp,
  readSafetensors,
  tensorOps,
  torchZip,
  type TensorSpec
} from '../unit/torch-checkpoint';
import { digestsOf, dropPaths, row, tempDir, waitSettled, writeLargeCheckpoint, writeTree } from './helpers';

/** A state dict with a tied weight, a transposed view and a payload that would run `touch` on load. */
function maliciousCheckpoint(): Uint8Array {
  const b = new PickleBuilder().proto(2).op('EMPTY_DICT');
  const entry = (name: string, spec: TensorSpec) => tensorOps(b.shortUnicode(name), spec);
  entry('embed.weight', { key: '0', numel: 12, shape: [3, 4], parameter: true })
    .raw(0x71, 1)
    .op('SETITEM');
  entry('proj.weight', { key: '0', numel: 12, shape: [4, 3], stride: [1, 4] }).op('SETITEM');
  b.shortUnicode('lm_head.weight').raw(0x68, 1).op('SETITEM');
  b.shortUnicode('payload').global('posix', 'system').shortUnicode('touch /tmp/safeload-pwned');
  b.raw(0x85).op('REDUCE').op('SETITEM').raw('.');
  return torchZip(b.bytes(), { '0': ramp(48) });
}

/** The same weights with a vendor class imported (never called): an unsafe pickle that is not critical. */
function vendorCheckpoint(): Uint8Array {
  const b = new PickleBuilder().proto(2).op('EMPTY_DICT');
  tensorOps(b.shortUnicode('embed.weight'), { key: '0', numel: 12, shape: [3, 4] }).op('SETITEM');
  b.shortUnicode('config').global('vendor_lib.training', 'TrainingConfig').op('SETITEM').raw('.');
  return torchZip(b.bytes(), { '0': ramp(48) });
}

/** What the CLI writes for the same input: the browser must produce the very same bytes. */
async function cliSha256(input: string, output: string): Promise<string> {
  let out = '';
  const code = await convertCommand([input, '-o', output, '--json'], {
    out: (t) => (out += t),
    err: () => {}
  });
  expect(code).toBe(0);
  return JSON.parse(out).outputs[0].sha256;
}

/** Replaces the save picker with one that returns a file in the origin-private file system (no native dialog). */
async function pickIntoOpfs(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'showSaveFilePicker', {
      configurable: true,
      value: async (options: { suggestedName: string }) => {
        (window as unknown as { suggested: string }).suggested = options.suggestedName;
        const root = await navigator.storage.getDirectory();
        return root.getFileHandle(`picked-${options.suggestedName}`, { create: true });
      }
    });
  });
}

async function readOpfs(page: Page, name: string): Promise<number[]> {
  return page.evaluate(async (n) => {
    const root = await navigator.storage.getDirectory();
    const file = await (await root.getFileHandle(n)).getFile();
    return [...new Uint8Array(await file.arrayBuffer())];
  }, name);
}

test('converts a malicious checkpoint into the file the user picks, listing the payload it did not run', async ({
  page
}) => {
  const dir = tempDir();
  try {
    const [input] = writeTree(dir.path, { 'pytorch_model.bin': maliciousCheckpoint() });
    const expectedSha = await cliSha256(input, join(dir.path, 'cli.safetensors'));
    await pickIntoOpfs(page);
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(input);
    await waitSettled(page, 1);
    const file = row(page, 'pytorch_model.bin');
    await expect(file).toHaveAttribute('data-verdict', 'critical');

    await file.getByRole('button', { name: /^Convert to safetensors/ }).click();
    const action = file.locator('[data-convert-state]');
    await expect(action).toHaveAttribute('data-convert-state', 'done');
    expect(await page.evaluate(() => (window as unknown as { suggested: string }).suggested)).toBe(
      'model.safetensors'
    );
    await expect(action).toHaveAttribute('data-output-sha256', expectedSha);
    const result = action.getByRole('region', { name: 'Conversion result' });
    await expect(result).toContainText('Converted 2 tensors');
    await expect(result.locator('[data-kind="output-sha256"]')).toHaveText(expectedSha);
    await expect(result).toContainText('posix.system ×1');
    await result.getByText(/^Left out: not tensors/).click();
    await expect(result).toContainText('payload: result of calling posix.system');
    await result.getByText(/^Tied weights written once/).click();
    await expect(result).toContainText('lm_head.weight = embed.weight');

    const bytes = Uint8Array.from(await readOpfs(page, 'picked-model.safetensors'));
    expect(digestsOf(bytes).sha256).toBe(expectedSha);
    const written = readSafetensors(bytes);
    expect(written.tensors.get('embed.weight')!.bytes).toEqual(ramp(48));
    expect(written.metadata['lm_head.weight']).toBe('embed.weight');
  } finally {
    dir.remove();
  }
});

test('without a save picker the output is written to the origin-private file system and downloaded', async ({
  page
}) => {
  const dir = tempDir();
  try {
    const [input] = writeTree(dir.path, { 'weights.pt': maliciousCheckpoint() });
    const expectedSha = await cliSha256(input, join(dir.path, 'cli.safetensors'));
    await page.addInitScript(() => {
      delete (Window.prototype as unknown as { showSaveFilePicker?: unknown }).showSaveFilePicker;
      delete (window as unknown as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(input);
    await waitSettled(page, 1);
    const file = row(page, 'weights.pt');
    await file.getByRole('button', { name: /^Convert to safetensors/ }).click();
    const link = file.getByRole('link', { name: 'Download weights.safetensors' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('weights.safetensors');
    const saved = join(dir.path, 'downloaded.safetensors');
    await download.saveAs(saved);
    expect(digestsOf(new Uint8Array(readFileSync(saved))).sha256).toBe(expectedSha);
  } finally {
    dir.remove();
  }
});

test('a conversion can be cancelled while it writes, and leaves nothing behind', async ({ page }) => {
  const dir = tempDir();
  try {
    const input = join(dir.path, 'big.pt');
    writeLargeCheckpoint(input, 48 * 1024 * 1024);
    await pickIntoOpfs(page);
    await page.goto('/');
    await page.locator('#file-input').setInputFiles(input);
    await waitSettled(page, 1);
    const file = row(page, 'big.pt');
    await file.getByRole('button', { name: /^Convert to safetensors/ }).click();
    await expect(file.getByRole('progressbar', { name: /Conversion of big.pt/ })).toBeVisible();
    await file.getByRole('button', { name: /^Cancel conversion/ }).click();
    await expect(file.locator('[data-convert-state]')).toHaveAttribute('data-convert-state', 'cancelled');
    await expect(file).toContainText('Conversion cancelled; nothing was kept.');
    const size = await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      return (await (await root.getFileHandle('picked-big.safetensors')).getFile()).size;
    });
    expect(size).toBe(0);
  } finally {
    dir.remove();
  }
});

test('the remediation plan offers the conversion for the pickle files of the session', async ({ page }) => {
  const dir = tempDir();
  try {
    // A critical file is quarantined instead (its weights are untrusted); this one only imports a vendor class.
    const [input] = writeTree(dir.path, { 'pytorch_model.bin': vendorCheckpoint() });
    await pickIntoOpfs(page);
    await page.goto('/registry');
    await dropPaths(page, [input]);
    const form = page.getByRole('form', { name: 'Add the current files to the registry' });
    await expect(form.getByRole('checkbox', { name: 'pytorch_model.bin' })).toBeChecked();
    await form.getByLabel('Name').fill('vendor/model');
    await form.getByLabel('Version').fill('1');
    await form.getByRole('button', { name: 'Add to registry' }).click();
    await page.getByRole('button', { name: 'Open the report of vendor/model@1' }).click();
    const action = page.getByTestId('model-detail').locator('li[data-action="convert-to-safetensors"]');
    await expect(action).toContainText('safeload convert pytorch_model.bin -o model.safetensors');
    const offer = action.getByTestId('convert-from-plan');
    await offer.getByRole('button', { name: /^Convert to safetensors/ }).click();
    await expect(offer.locator('[data-convert-state]')).toHaveAttribute('data-convert-state', 'done');
    await expect(offer.getByRole('region', { name: 'Conversion result' })).toContainText(
      'vendor_lib.training.TrainingConfig'
    );
  } finally {
    dir.remove();
  }
});

/** Display controls other than the line breaks and tabs innerText adds for layout. */
const ACTING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/u;

test('names from the file are shown with their controls labelled, never acting', async ({ page }) => {
  const name = 'x\u001b[2J\u202egnp.\r\n$(id)';
  const dir = tempDir();
  try {
    const [input, refused] = writeTree(dir.path, {
      'evil\u202egnp.pt': hostileNamesCheckpoint(name, 'os\u001b[31m\u202e'),
      'refused.pt': hostileRefusedCheckpoint(name)
    });
    await pickIntoOpfs(page);
    await page.goto('/');
    await page.locator('#file-input').setInputFiles([input, refused]);
    await waitSettled(page, 2);

    const file = row(page, 'evil\u202egnp.pt');
    await file.getByRole('button', { name: /^Convert to safetensors/ }).click();
    await expect(file.locator('[data-convert-state]')).toHaveAttribute('data-convert-state', 'done');
    const result = file.getByRole('region', { name: 'Conversion result' });
    await result.locator('details').evaluateAll((lists) => lists.forEach((d) => d.setAttribute('open', '')));
    const text = await result.innerText();
    expect(text).not.toMatch(ACTING);
    // SafeText shows C0 controls as \\xNN (shorten) and the others as labels.
    expect(text).toContain('x\\x1b[2JU+202E RLOgnp.\\x0dU+000A LF$(id).tied = x\\x1b[2J');
    expect(text).toContain('os\\x1b[31mU+202E RLO.system ×1');
    expect(text).toContain('into evilU+202E RLOgnp.safetensors');
    expect(text).toContain('$(id).view overlaps x\\x1b[2J');
    expect(await result.locator('mark.control').count()).toBeGreaterThanOrEqual(10);

    const other = row(page, 'refused.pt');
    await other.getByRole('button', { name: /^Convert to safetensors/ }).click();
    await expect(other.locator('[data-convert-state]')).toHaveAttribute('data-convert-state', 'failed');
    const failed = other.getByRole('region', { name: 'Conversion result' });
    await expect(failed).toContainText('Not converted');
    const refusal = await failed.innerText();
    expect(refusal).not.toMatch(ACTING);
    expect(refusal).toContain('U+202E RLO');
  } finally {
    dir.remove();
  }
});
