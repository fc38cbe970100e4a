/**
 * Remote scanning cost: bytes fetched and time to verdict when a repo is scanned in place on the (emulated)
 * Hub over real HTTP — a 4-shard safetensors model of 4 GiB (sparse files: header written, the rest a hole), a
 * 1 GiB GGUF and a PyTorch zip made with torch. Run: `npx tsx bench/hub-remote.ts [--json]`, or `npm run bench`
 * (workload `hubRemote`). Goal: under 0.1 % of the bytes for header-only formats.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RangeFetcher } from '../src/lib/core/remote/range-fetcher';
import { scanHubCommit } from '../src/lib/core/remote/scan-commit';
import { fetchTransport } from '../src/lib/core/remote/transport';
import type { RemoteFile } from '../src/lib/core/provenance/remote-file';
import { GgufWriter } from '../tests/fixtures/gguf/build';
import { startHubEmulator, type EmulatedFile } from '../tests/hub-emulator/server';
import { lfsFile, safetensorsHead, sparseFile } from '../tests/hub-emulator/sparse';

const GIB = 1024 ** 3;
const COMMIT = 'b'.repeat(40);
const dir = mkdtempSync(join(tmpdir(), 'safeload-bench-hub-'));

async function safetensorsShard(i: number): Promise<EmulatedFile> {
  const head = safetensorsHead(GIB, i * (GIB / (4096 * 4096 * 2)));
  return sparseFile(join(dir, `shard${i}.safetensors`), head, head.length + GIB);
}

function gguf(): Promise<EmulatedFile> {
  const w = new GgufWriter().str('general.architecture', 'llama').str('general.name', 'bench');
  for (let i = 0; i < 32; i++)
    w.tensor({ name: `blk.${i}.weight`, dims: [4096, 4096], type: 1, bytes: 4096 * 4096 * 2 });
  const { header, fileSize } = w.buildHeader();
  return sparseFile(join(dir, 'model.gguf'), header, fileSize);
}

function torchZip(): Promise<EmulatedFile> | null {
  const path = join(dir, 'model.pt');
  const python = process.env.SAFELOAD_TORCH_PYTHON ?? '/usr/bin/python3';
  try {
    execFileSync(python, [
      '-c',
      `import torch\ntorch.save({f"layer{i}.weight": torch.zeros(1024, 1024) for i in range(64)}, ${JSON.stringify(path)})`
    ]);
  } catch {
    return null;
  }
  return lfsFile(path);
}

async function measure(name: string, files: Record<string, EmulatedFile>) {
  const hub = await startHubEmulator({ repos: [{ repoId: 'bench/model', commit: COMMIT, files }] });
  try {
    const listed = (await (
      await fetch(`${hub.hub}/api/models/bench/model/tree/${COMMIT}?recursive=true&expand=false`)
    ).json()) as unknown[];
    const { remoteFileFromEntry } = await import('../src/lib/core/provenance/remote-file');
    const remote = listed.map(remoteFileFromEntry).filter((f): f is RemoteFile => f !== null);
    const fetcher = new RangeFetcher({
      transport: fetchTransport(fetch),
      hub: hub.hub,
      fileOrigins: [hub.cdn]
    });
    const started = performance.now();
    const result = await scanHubCommit(fetcher, { repoType: 'model', repoId: 'bench/model' }, COMMIT, remote);
    const ms = performance.now() - started;
    return {
      workload: name,
      files: remote.length,
      totalBytes: result.totalSize,
      bytesFetched: result.bytesFetched,
      percentFetched: +((result.bytesFetched / result.totalSize) * 100).toFixed(4),
      requests: fetcher.stats.requests,
      timeToVerdictMs: Math.round(ms),
      verdicts: Object.fromEntries(
        result.reports.map((r) => [r.path, `${r.verdict}${r.complete ? '' : ' (incomplete)'}`])
      )
    };
  } finally {
    await hub.close();
  }
}

try {
  const out = [];
  out.push(
    await measure(
      'safetensors 4 shards × 1 GiB',
      Object.fromEntries(
        await Promise.all(
          [0, 1, 2, 3].map(async (i) => [
            `model-0000${i + 1}-of-00004.safetensors`,
            await safetensorsShard(i)
          ])
        )
      )
    )
  );
  out.push(await measure('GGUF 1 GiB', { 'model.gguf': await gguf() }));
  const zip = torchZip();
  if (zip)
    out.push(await measure('PyTorch zip (torch.save, 64 tensors)', { 'pytorch_model.bin': await zip }));
  console.log(JSON.stringify(out, null, process.argv.includes('--json') ? 0 : 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
