// `safeload scan|gate` on a Hub repo read in place and on a hub cache folder, against the Hub emulator.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateCommand } from '../../src/lib/cli/gate-command';
import { scanCommand } from '../../src/lib/cli/scan-command';
import type { JsonReport } from '../../src/lib/core/report/json';
import { contentSize, gitBlobSha1, startHubEmulator, type HubEmulator } from '../hub-emulator/server';
import { SAMPLE_COMMIT, SAMPLE_REPO_ID, sampleRepo } from '../hub-emulator/sample-repo';

let hub: HubEmulator;
const repo = sampleRepo();
beforeAll(async () => {
  hub = await startHubEmulator({ repos: [repo] });
});
afterAll(() => hub.close());

async function run(command: typeof scanCommand, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(
    argv,
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    {
      hub: hub.hub,
      fileOrigins: [hub.cdn]
    }
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const byPath = (report: JsonReport, path: string) => {
  const f = report.files.find(
    (x) => x.path === `hf://${SAMPLE_REPO_ID}@${SAMPLE_COMMIT.slice(0, 7)}/${path}`
  );
  if (!f) throw new Error(`${path} not in report: ${report.files.map((x) => x.path).join(', ')}`);
  return f;
};

describe('safeload scan hf://', () => {
  it('gives the verdict table of a commit while downloading only what each format needs', async () => {
    const served = hub.bytesServed();
    const { code, stdout, stderr } = await run(
      scanCommand,
      `hf://${SAMPLE_REPO_ID}@main`,
      '--json',
      '--max-download',
      '1MiB'
    );
    expect(code).toBe(1); // legacy/evil.pt runs os.system
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.files).toHaveLength(Object.keys(repo.files).length);

    const evil = byPath(report, 'legacy/evil.pt');
    expect(evil.verdict).toBe('critical');
    expect(evil.origin).toMatchObject({
      kind: 'hub',
      commit: SAMPLE_COMMIT,
      digests: 'computed',
      hubSecurityStatus: 'unsafe'
    });

    const shard = byPath(report, 'model-00001-of-00002.safetensors');
    const shardSize = contentSize(repo.files['model-00001-of-00002.safetensors'].content);
    expect(shard).toMatchObject({ verdict: 'clean', complete: true, formats: ['safetensors'] });
    expect(shard.origin?.digests).toBe('hub-listing');
    expect(shard.origin!.bytesFetched!).toBeLessThan(shardSize * 0.05);
    expect(shard.sha256).toBe(
      createHash('sha256')
        .update(repo.files['model-00001-of-00002.safetensors'].content as Uint8Array)
        .digest('hex')
    );

    const config = byPath(report, 'config.json');
    expect(config.gitSha1).toBe(gitBlobSha1(repo.files['config.json'].content as Uint8Array));
    expect(config.origin?.digests).toBe('computed');

    // Whole-stream formats past the limit are incomplete, never clean.
    const pkl = byPath(report, 'optimizer.pkl');
    expect(pkl.complete).toBe(false);
    expect(pkl.verdict).not.toBe('clean');
    expect(pkl.findings.map((f) => f.ruleId)).toContain('remote.download-limit');

    const total = Object.values(repo.files).reduce((n, f) => n + contentSize(f.content), 0);
    expect(hub.bytesServed() - served).toBeLessThan(total / 2);
    expect(stderr).toMatch(new RegExp(`commit ${SAMPLE_COMMIT}, 6 file\\(s\\) scanned in place`));
  });

  it('takes a Hub URL with /tree/REV and prints what was read in place', async () => {
    const { code, stdout } = await run(
      scanCommand,
      `https://huggingface.co/${SAMPLE_REPO_ID}/tree/${SAMPLE_COMMIT}`,
      '--max-download',
      '8MiB'
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/CRITICAL hf:\/\/acme\/vendor-model@1f2e3d4\/legacy\/evil\.pt/);
    expect(stdout).toMatch(
      /read in place: .* of 4\.00 MiB .*sha256 from the Hub listing, not computed; Hub scan: safe/
    );
    expect(stdout).not.toMatch(/optimizer\.pkl[^\n]*\n[^\n]*not fully analysed/);
    // Read whole within the limit, so hashed here as well (from the bytes already fetched).
    expect(stdout).toMatch(
      /optimizer\.pkl[^\n]*\n[^\n]*read in place: 4\.29 MiB of 4\.29 MiB[^\n]*digests computed here/
    );
  });

  it('exits 2 for a repo or revision the Hub does not have, and for a bad size', async () => {
    expect((await run(scanCommand, 'hf://acme/missing')).code).toBe(2);
    const missingRev = await run(scanCommand, `hf://${SAMPLE_REPO_ID}@nope`);
    expect(missingRev.code).toBe(2);
    expect(missingRev.stderr).toMatch(/revision/);
    await expect(run(scanCommand, `hf://${SAMPLE_REPO_ID}`, '--max-download', 'lots')).rejects.toThrow(
      /--max-download/
    );
  });

  it('gate fails the repo on the critical file and names the commit as the version', async () => {
    const { code, stdout } = await run(
      gateCommand,
      `hf://${SAMPLE_REPO_ID}`,
      '--json',
      '--max-download',
      '1MiB'
    );
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.triage.model).toMatchObject({ name: SAMPLE_REPO_ID, version: SAMPLE_COMMIT });
    expect(result.evaluation.outcome).toBe('fail');
  });

  it('refuses --token-env naming an empty variable (the real binary, no network)', async () => {
    const bin = join(import.meta.dirname, '../../bin/safeload.mjs');
    const err = await promisify(execFile)(
      process.execPath,
      [bin, 'scan', 'hf://acme/x', '--token-env', 'SAFELOAD_UNSET_VAR_17'],
      {
        env: { ...process.env, SAFELOAD_UNSET_VAR_17: '' }
      }
    ).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toMatch(
      /SAFELOAD_UNSET_VAR_17: that environment variable is empty/
    );
  });
});

describe('safeload scan on a hub cache folder', () => {
  let cacheDir: string;
  beforeAll(() => {
    const base = mkdtempSync(join(tmpdir(), 'safeload-hubcache-'));
    cacheDir = join(base, `models--${SAMPLE_REPO_ID.replace('/', '--')}`);
    const snap = join(cacheDir, 'snapshots', SAMPLE_COMMIT);
    mkdirSync(join(cacheDir, 'blobs'), { recursive: true });
    mkdirSync(join(snap, 'legacy'), { recursive: true });
    mkdirSync(join(cacheDir, 'refs'));
    writeFileSync(join(cacheDir, 'refs/main'), SAMPLE_COMMIT);
    const link = (path: string, bytes: Uint8Array, blobId: string) => {
      writeFileSync(join(cacheDir, 'blobs', blobId), bytes);
      symlinkSync(`${path.includes('/') ? '../' : ''}../../blobs/${blobId}`, join(snap, path));
    };
    const config = repo.files['config.json'].content as Uint8Array;
    link('config.json', config, gitBlobSha1(config));
    const evil = repo.files['legacy/evil.pt'].content as Uint8Array;
    link('legacy/evil.pt', evil, createHash('sha256').update(evil).digest('hex'));
    // A blob whose content no longer matches its id (edited after download), under a path the commit lacks.
    link('notes.txt', new TextEncoder().encode('changed\n'), 'ab'.repeat(20));
  });

  it('reports by repo path with blob ids, and checks each blob against its id', async () => {
    const { code, stdout } = await run(scanCommand, cacheDir, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    // The walk reports each linked blob once, under its snapshot name; refs/main is scanned as a plain file.
    expect(report.files.map((f) => f.path)).toEqual([
      `${cacheDir}/refs/main`,
      ...['config.json', 'legacy/evil.pt', 'notes.txt'].map(
        (p) => `${cacheDir}/snapshots/${SAMPLE_COMMIT}/${p}`
      )
    ]);
    const [refs, config, evil, notes] = report.files;
    expect(refs.origin).toBeUndefined();
    expect(evil.origin).toMatchObject({
      kind: 'hub-cache',
      repoId: SAMPLE_REPO_ID,
      commit: SAMPLE_COMMIT,
      repoPath: 'legacy/evil.pt',
      blobId: evil.sha256
    });
    expect(evil.verdict).toBe('critical');
    expect(config.origin).toMatchObject({ repoPath: 'config.json', blobId: config.gitSha1 });
    expect(config.findings.map((f) => f.ruleId)).not.toContain('hub-cache.blob-mismatch');
    expect(notes.findings.map((f) => f.ruleId)).toContain('hub-cache.blob-mismatch');
  });

  it('checks a blob no snapshot links to against its id, and reads a snapshot folder given alone', async () => {
    writeFileSync(join(cacheDir, 'blobs', 'cd'.repeat(20)), 'orphan\n');
    try {
      const whole = JSON.parse((await run(scanCommand, cacheDir, '--json')).stdout) as JsonReport;
      const orphan = whole.files.find((f) => f.path === `${cacheDir}/blobs/${'cd'.repeat(20)}`)!;
      expect(orphan.findings.map((f) => f.ruleId)).toContain('hub-cache.blob-mismatch');
      const snapshot = join(cacheDir, 'snapshots', SAMPLE_COMMIT);
      const one = JSON.parse((await run(scanCommand, snapshot, '--json')).stdout) as JsonReport;
      expect(one.files.map((f) => f.origin?.repoPath)).toEqual([
        'config.json',
        'legacy/evil.pt',
        'notes.txt'
      ]);
    } finally {
      rmSync(join(cacheDir, 'blobs', 'cd'.repeat(20)));
    }
  });

  it('gate on a cached snapshot checks the blobs the same way', async () => {
    const { code, stdout } = await run(gateCommand, join(cacheDir, 'snapshots', SAMPLE_COMMIT), '--json');
    expect(code).toBe(1);
    expect(stdout).toContain('hub-cache.blob-mismatch');
  });

  it('--check-hub compares the snapshot with the Hub listing of its commit', async () => {
    const { stdout, stderr } = await run(scanCommand, cacheDir, '--json', '--check-hub');
    const report = JSON.parse(stdout) as JsonReport;
    expect(stderr).toMatch(/2 verified, 0 differ, 1 not in the commit, 4 not cached/);
    const notes = report.files.find((f) => f.origin?.repoPath === 'notes.txt')!;
    expect(notes.findings.map((f) => f.ruleId)).toContain('hub-cache.not-in-commit');
  });
});
