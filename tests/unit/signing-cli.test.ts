import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeShared } from '../shared-fixtures';
import { KEYS, MODELS } from './signing-fixtures';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/safeload.mjs');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'verify', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const KEYLESS = ['--identity', 'stefanb@us.ibm.com', '--issuer', 'https://sigstore.verify.ibm.com/oauth2'];

describeShared('safeload verify', () => {
  it('exits 0 for each mode on a signed model', async () => {
    const keyless = await cli(join(MODELS, 'v1.1.0-sigstore'), ...KEYLESS);
    expect(keyless.code, keyless.stdout + keyless.stderr).toBe(0);
    expect(keyless.stdout).toContain('Verification succeeded');
    const key = await cli(join(MODELS, 'v1.1.0-elliptic-key'), '--key', join(KEYS, 'signing-key-pub.pem'));
    expect(key.code, key.stdout).toBe(0);
    const chain = await cli(
      join(MODELS, 'v1.0.0-certificate'),
      '--certificate-chain',
      join(KEYS, 'ca-cert.pem'),
      '--json'
    );
    expect(chain.code, chain.stdout).toBe(0);
    expect(JSON.parse(chain.stdout).verified).toBe(true);
  });

  it('single-file models take --signature; pre-v1.1 ignores take --ignore-paths', async () => {
    const dir = join(MODELS, 'v0.3.1-elliptic-key');
    const single = await cli(
      join(dir, 'signme-1'),
      '--signature',
      join(dir, 'model.sig'),
      '--key',
      join(KEYS, 'signing-key-pub.pem')
    );
    expect(single.code, single.stdout).toBe(0);
    const old = join(MODELS, 'v1.0.1-sigstore');
    expect((await cli(old, ...KEYLESS)).code).toBe(1);
    expect((await cli(old, ...KEYLESS, '--ignore-paths', join(old, 'ignore-me'))).code).toBe(0);
  });

  it('exits 1 on an extra file and on a prefix of the identity', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'safeload-verify-'));
    cpSync(join(MODELS, 'v1.1.0-sigstore'), copy, { recursive: true });
    writeFileSync(join(copy, 'extra.bin'), 'x');
    const extra = await cli(copy, ...KEYLESS);
    expect(extra.code).toBe(1);
    expect(extra.stdout).toMatch(/Extra files found in model 'v1\.1\.0-sigstore': extra\.bin/);
    expect((await cli(copy, ...KEYLESS, '--ignore-unsigned-files')).code).toBe(0);
    const prefix = await cli(
      join(MODELS, 'v1.1.0-sigstore'),
      '--identity',
      'stefanb@us.ibm',
      '--issuer',
      KEYLESS[3]
    );
    expect(prefix.code).toBe(1);
  });

  it('exits 2 on usage and I/O errors', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli(join(MODELS, 'v1.1.0-sigstore'))).code).toBe(2);
    expect((await cli(join(MODELS, 'v1.1.0-sigstore'), '--key', 'k.pem', ...KEYLESS)).code).toBe(2);
    expect((await cli(join(MODELS, 'nope'), ...KEYLESS)).code).toBe(2);
    expect((await cli(join(MODELS, 'v1.1.0-sigstore'), '--key', join(MODELS, 'missing.pem'))).code).toBe(2);
  });
});
