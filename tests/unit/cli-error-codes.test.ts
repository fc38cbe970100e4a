// Each CLI error code on a real failing run of the `safeload` binary (or of the command against the Hub
// emulator): exit 2, the message on stderr, and with --json `{"error": {"code", "message"}}` on stdout.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateCommand } from '../../src/lib/cli/gate-command';
import { startHubEmulator, type HubEmulator } from '../hub-emulator/server';
import { sampleRepo } from '../hub-emulator/sample-repo';
import { cli } from './cli-run';

let dir: string;
const path = (...p: string[]) => join(dir, ...p);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-codes-'));
  mkdirSync(path('model'));
  for (const name of ['a.safetensors', 'b.json', 'c.txt']) writeFileSync(path('model', name), '{}');
  mkdirSync(path('empty'));
  mkdirSync(path('deps'));
  writeFileSync(path('deps', 'requirements.txt'), 'torch==2.5.1\n');
  writeFileSync(path('not-a-manifest.json'), '{"hello": "world"}');
  // A name that is not UTF-8: listed (as U+FFFD), but no file has the listed name, so it cannot be read.
  mkdirSync(path('odd'));
  writeFileSync(path('odd', 'config.json'), '{}');
  writeFileSync(
    Buffer.concat([Buffer.from(`${path('odd')}/`), Buffer.from([0xff, 0x2e, 0x62, 0x69, 0x6e])]),
    '{}'
  );
});

/** The run's exit code, and the code of the JSON error it printed. */
async function failed(...args: string[]): Promise<{ exit: number; code: unknown; stderr: string }> {
  const r = await cli(...args, '--json');
  const parsed = JSON.parse(r.stdout) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof parsed.error?.message).toBe('string');
  expect(r.stderr).toMatch(/^safeload: /);
  return { exit: r.code, code: parsed.error?.code, stderr: r.stderr };
}

describe('CLI error codes', () => {
  it('USAGE: an unknown option, a missing path, options that exclude each other', async () => {
    expect(await failed('scan', '--no-such-option', path('model'))).toMatchObject({ exit: 2, code: 'USAGE' });
    expect(await failed('gate')).toMatchObject({ exit: 2, code: 'USAGE' });
    expect(
      await failed('audit', path('deps'), '--osv-db', 'x.zip', '--osv-api', 'https://osv.dev')
    ).toMatchObject({ exit: 2, code: 'USAGE' });
  });

  it('INPUT_UNREADABLE: a model, policy, signature or dependency folder that does not exist', async () => {
    const missing = path('missing');
    expect(await failed('gate', missing)).toMatchObject({ exit: 2, code: 'INPUT_UNREADABLE' });
    expect(await failed('gate', path('model'), '--policy', join(missing, 'policy.yaml'))).toMatchObject({
      exit: 2,
      code: 'INPUT_UNREADABLE'
    });
    expect(await failed('verify', path('model'), '--key', join(missing, 'key.pem'))).toMatchObject({
      exit: 2,
      code: 'INPUT_UNREADABLE'
    });
    expect(await failed('audit', missing)).toMatchObject({ exit: 2, code: 'INPUT_UNREADABLE' });
  });

  it('ENTRY_UNREADABLE: an entry of the model that cannot be read', async () => {
    const r = await failed('gate', path('odd'));
    expect(r).toMatchObject({ exit: 2, code: 'ENTRY_UNREADABLE' });
    expect(r.stderr).toMatch(/cannot read .*\.bin/);
  });

  it('ENTRY_LIMIT: a folder with more entries than --max-entries', async () => {
    const r = await failed('gate', path('model'), '--max-entries', '1');
    expect(r).toMatchObject({ exit: 2, code: 'ENTRY_LIMIT' });
    expect(r.stderr).toMatch(/--max-entries/);
  });

  it('MANIFEST_REJECTED: --manifest that is not a Safeload manifest', async () => {
    const r = await failed('gate', path('model'), '--manifest', path('not-a-manifest.json'));
    expect(r).toMatchObject({ exit: 2, code: 'MANIFEST_REJECTED' });
    expect(r.stderr).toMatch(/Not a Safeload manifest/);
  });

  it('VULNERABILITY_LOOKUP and NOTHING_TO_AUDIT: an unusable OSV database, an unreachable OSV, no inputs', async () => {
    const notZip = await failed('audit', path('deps'), '--osv-db', path('deps', 'requirements.txt'));
    expect(notZip).toMatchObject({ exit: 2, code: 'VULNERABILITY_LOOKUP' });
    const down = await failed('audit', path('deps'), '--osv-api', 'http://127.0.0.1:1');
    expect(down).toMatchObject({ exit: 2, code: 'VULNERABILITY_LOOKUP' });
    expect(down.stderr).toMatch(/vulnerability lookup failed/);
    const gateDown = await failed('gate', path('deps'), '--online', '--osv-api', 'http://127.0.0.1:1');
    expect(gateDown).toMatchObject({ exit: 2, code: 'VULNERABILITY_LOOKUP' });
    expect(await failed('audit', path('empty'))).toMatchObject({ exit: 2, code: 'NOTHING_TO_AUDIT' });
  });

  it('without --json, stdout stays empty and stderr has the same line', async () => {
    const r = await cli('gate', path('model'), '--max-entries', '1');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^safeload: stopped after 1 entries/);
  });
});

describe('HUB_UNREADABLE', () => {
  let hub: HubEmulator;
  beforeAll(async () => {
    hub = await startHubEmulator({ repos: [sampleRepo()] });
  });
  afterAll(() => hub.close());

  it('a repo the Hub does not have, read in place by gate', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const exit = await gateCommand(
      ['hf://acme/no-such-repo', '--json'],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      { hub: hub.hub, fileOrigins: [hub.cdn] }
    );
    expect(exit).toBe(2);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ error: { code: 'HUB_UNREADABLE' } });
    expect(err.join('\n')).toMatch(/^safeload: hf:\/\/acme\/no-such-repo: /);
  });
});
