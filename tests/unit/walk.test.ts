/**
 * The folder walk is part of the verdict: `scan` and `gate` on hostile folders (a Hugging Face cache made of
 * symbolic links, links out of the folder, loops, FIFOs, an unreadable subfolder, more entries than the
 * bound, a file not fully analysed), with their exit codes.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/lib/cli/main';
import type { JsonReport } from '../../src/lib/core/report/json';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const MALICIOUS = readFileSync(join(FIXTURES, 'fail-closed/reduce_p2.pkl'));
const BENIGN = readFileSync(join(FIXTURES, 'pickle/plain_p4.pkl'));
const REV = 'a'.repeat(40);
const CONFIG = '{"model_type": "bert"}';
/** Blob names are the Hub's ETags (SHA-256 for LFS files, git blob SHA-1 for the rest): checked by the scan. */
const blobId = (weights: Buffer) => createHash('sha256').update(weights).digest('hex');
const CONFIG_BLOB = createHash('sha1').update(`blob ${CONFIG.length}\0${CONFIG}`).digest('hex');

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function scanJson(...argv: string[]): Promise<{ code: number; report: JsonReport; err: string }> {
  const r = await cli('scan', '--json', ...argv);
  return { code: r.code, report: JSON.parse(r.out) as JsonReport, err: r.err };
}

let dir: string;
const at = (...p: string[]) => join(dir, ...p);

/** A gate policy that only denies critical findings: whatever else fails comes from the gate itself. */
function lenientPolicy(): string {
  const policy = at('lenient.json');
  writeFileSync(
    policy,
    JSON.stringify({
      rules: [
        { id: 'no-critical', severity: 'deny', expression: 'model.findingCounts.critical == 0', message: 'm' }
      ]
    })
  );
  return policy;
}

/** models--org--name as huggingface_hub writes it: snapshot files are relative links into blobs/. */
function hubCache(root: string, weights: Buffer): string {
  const repo = join(root, 'models--org--name');
  mkdirSync(join(repo, 'blobs'), { recursive: true });
  mkdirSync(join(repo, 'refs'));
  mkdirSync(join(repo, 'snapshots', REV), { recursive: true });
  mkdirSync(join(repo, '.no_exist', REV), { recursive: true });
  writeFileSync(join(repo, 'blobs', blobId(weights)), weights);
  writeFileSync(join(repo, 'blobs', CONFIG_BLOB), CONFIG);
  writeFileSync(join(repo, 'refs', 'main'), REV);
  writeFileSync(join(repo, '.no_exist', REV, 'model.safetensors'), '');
  symlinkSync(`../../blobs/${blobId(weights)}`, join(repo, 'snapshots', REV, 'pytorch_model.bin'));
  symlinkSync(`../../blobs/${CONFIG_BLOB}`, join(repo, 'snapshots', REV, 'config.json'));
  return repo;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-walk-'));
  chmodSync(dir, 0o755);
  mkdirSync(at('hostile-cache'));
  mkdirSync(at('benign-cache'));
  hubCache(at('hostile-cache'), MALICIOUS);
  hubCache(at('benign-cache'), BENIGN);
});

describe('a Hugging Face cache (snapshots are links into blobs/)', () => {
  it('follows the links: the malicious blob is reported under its snapshot name, once', async () => {
    const { code, report } = await scanJson(at('hostile-cache/models--org--name'));
    expect(code).toBe(1);
    const weights = report.files.find((f) => f.path.endsWith(`snapshots/${REV}/pytorch_model.bin`));
    expect(weights).toMatchObject({
      verdict: 'critical',
      facts: { 'link target': `blobs/${blobId(MALICIOUS)}` }
    });
    expect(report.files.filter((f) => f.sha256 === weights!.sha256)).toHaveLength(1);
    const marker = report.files.find((f) => f.path.includes('.no_exist'));
    expect(marker).toMatchObject({ verdict: 'info', complete: true });
  });

  it('follows them from the snapshot folder too (they stay inside the cache repo)', async () => {
    const { code, report } = await scanJson(at('hostile-cache/models--org--name/snapshots', REV));
    expect(code).toBe(1);
    expect(report.files.map((f) => [f.path.split('/').pop(), f.verdict])).toEqual([
      ['config.json', 'clean'],
      ['pytorch_model.bin', 'critical']
    ]);
  });

  it('from the folder above the cache repo too: each blob read once, under its snapshot name', async () => {
    const { code, report } = await scanJson(at('hostile-cache'));
    expect(code).toBe(1);
    expect(report.files.filter((f) => f.path.includes('/blobs/'))).toEqual([]);
    const byName = (name: string) => report.files.find((f) => f.path.endsWith(`${REV}/${name}`));
    expect(byName('pytorch_model.bin')).toMatchObject({ verdict: 'critical' });
    // Its name is what makes the blob a config: read under it, not reused from a reading as `blobs/<id>`.
    expect(byName('config.json')?.formats).toContain('hf-config');
  });

  it('gate fails the hostile snapshot and passes the benign one', async () => {
    const policy = lenientPolicy();
    const hostile = await cli(
      'gate',
      at('hostile-cache/models--org--name/snapshots', REV),
      '--policy',
      policy
    );
    expect(hostile.code).toBe(1);
    expect(hostile.out).toContain('Gate: FAIL');
    const benign = await cli('gate', at('benign-cache/models--org--name/snapshots', REV), '--policy', policy);
    expect(benign.code, benign.out + benign.err).toBe(0);
    expect((await cli('scan', at('benign-cache/models--org--name'))).code).toBe(0);
  });
});

describe('links out of the folder, loops and FIFOs are findings', () => {
  beforeAll(() => {
    mkdirSync(at('outside'));
    writeFileSync(at('outside/evil.pkl'), MALICIOUS);
    mkdirSync(at('linked-out'));
    writeFileSync(at('linked-out/weights.pkl'), BENIGN);
    symlinkSync(at('outside/evil.pkl'), at('linked-out/pytorch_model.bin'));
    mkdirSync(at('looped/sub'), { recursive: true });
    writeFileSync(at('looped/sub/weights.pkl'), BENIGN);
    symlinkSync('..', at('looped/sub/up'));
    mkdirSync(at('fifo'));
    writeFileSync(at('fifo/weights.pkl'), BENIGN);
    execFileSync('mkfifo', [at('fifo/pytorch_model.bin')]);
  });

  it('a link out of the folder is high and not followed; the gate fails unless incomplete is allowed', async () => {
    const { code, report } = await scanJson(at('linked-out'));
    expect(code).toBe(1);
    const link = report.files.find((f) => f.path.endsWith('pytorch_model.bin'))!;
    expect(link).toMatchObject({ verdict: 'high', complete: false });
    expect(link.findings[0].ruleId).toBe('walk.link-outside-root');
    const policy = lenientPolicy();
    const gated = await cli('gate', at('linked-out'), '--policy', policy);
    expect(gated.code).toBe(1);
    expect(gated.out).toMatch(/safeload\/scan-complete\s+deny\s+VIOLATION/);
    expect((await cli('gate', at('linked-out'), '--policy', policy, '--allow-incomplete')).code).toBe(0);
  });

  it('a loop is a finding and is walked once', async () => {
    const { code, report } = await scanJson(at('looped'));
    expect(code).toBe(0);
    expect(report.files.map((f) => [f.path, f.findings.map((x) => x.ruleId)]).sort()).toEqual([
      [`${at('looped')}/sub/up`, ['walk.link-loop']],
      [`${at('looped')}/sub/weights.pkl`, []]
    ]);
  });

  it('a FIFO is not read: not fully analysed, so scan and gate fail unless incomplete is allowed', async () => {
    const { code, report } = await scanJson(at('fifo'));
    expect(code).toBe(1);
    expect(report.files.find((f) => f.path.endsWith('pytorch_model.bin'))).toMatchObject({
      verdict: 'medium',
      complete: false,
      findings: [{ ruleId: 'walk.special-file' }]
    });
    expect((await cli('scan', at('fifo'), '--allow-incomplete')).code).toBe(0);
    const policy = lenientPolicy();
    expect((await cli('gate', at('fifo'), '--policy', policy)).code).toBe(1);
    expect((await cli('gate', at('fifo'), '--policy', policy, '--allow-incomplete')).code).toBe(0);
  });
});

describe('bounds and unreadable entries are errors', () => {
  it('more entries than --max-entries: exit 2, stated', async () => {
    mkdirSync(at('many'));
    for (let i = 0; i < 10; i++) writeFileSync(at('many', `f${i}.pkl`), BENIGN);
    expect((await cli('scan', at('many'))).code).toBe(0);
    const capped = await cli('scan', at('many'), '--max-entries', '5');
    expect(capped.code).toBe(2);
    expect(capped.err).toContain('stopped after 5 entries');
    const gated = await cli('gate', at('many'), '--policy', lenientPolicy(), '--max-entries', '5');
    expect(gated.code).toBe(2);
    expect(gated.err).toContain('stopped after 5 entries');
    expect((await cli('scan', at('many'), '--max-entries', '0')).code).toBe(2);
  });

  it('a file not fully analysed fails scan at the default threshold and the gate', async () => {
    mkdirSync(at('partial'));
    // A cut download: "truncated — not fully analysed".
    writeFileSync(at('partial/model.pkl'), BENIGN.subarray(0, BENIGN.length - 5));
    const scanned = await cli('scan', at('partial'));
    expect(scanned.code).toBe(1);
    expect(scanned.err).toContain('1 not fully analysed');
    expect((await cli('scan', at('partial'), '--allow-incomplete')).code).toBe(0);
    expect((await cli('gate', at('partial'), '--policy', lenientPolicy())).code).toBe(1);
  });
});

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/safeload.mjs');
const isRoot = process.getuid?.() === 0;

/** The CLI as an unprivileged user (root reads any folder): `setpriv` to nobody when running as root. */
async function cliUnprivileged(...args: string[]): Promise<Run> {
  const [cmd, argv] = isRoot
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]];
  try {
    const { stdout, stderr } = await run(cmd, argv, { env: { ...process.env, HOME: tmpdir() } });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

describe('an unreadable subfolder (as huggingface-cli and tar can leave), as a non-root user', () => {
  // The unprivileged user can run the CLI bundle but not rebuild it: build it first.
  beforeAll(async () => {
    const { ensureCliBuilt } = (await import(join(import.meta.dirname, '../../scripts/build-cli.mjs'))) as {
      ensureCliBuilt: () => Promise<void>;
    };
    await ensureCliBuilt();
  }, 120_000);

  it('makes scan and gate an error that names it, the malicious file beside it still reported', async () => {
    mkdirSync(at('locked/model/private'), { recursive: true });
    writeFileSync(at('locked/model/pytorch_model.bin'), MALICIOUS);
    writeFileSync(at('locked/model/private/notes.txt'), 'hidden');
    writeFileSync(at('locked/lenient.json'), readFileSync(lenientPolicy()));
    execFileSync('chmod', ['-R', 'a+rX', at('locked')]);
    chmodSync(at('locked/model/private'), 0o000);
    const scanned = await cliUnprivileged('scan', at('locked/model'));
    expect(scanned.code, scanned.err).toBe(2);
    expect(scanned.err).toContain(`cannot read ${at('locked/model')}/private`);
    expect(scanned.out).toContain('CRITICAL');
    const gated = await cliUnprivileged('gate', at('locked/model'), '--policy', at('locked/lenient.json'));
    expect(gated.code, gated.err).toBe(2);
    expect(gated.err).toContain('private');
    expect(gated.err).toContain('EACCES');
  });
});
