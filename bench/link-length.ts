// Share-link size for a 200-file repo (target < 32 KB). Usage: npx tsx bench/link-length.ts [files=200]
// Files are built in the recorded tree-entry shapes; hashes are pseudo-random (incompressible, as real ones are).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { manifestFromCapture, type HubCapture } from '../src/lib/core/provenance/manifest';
import { remoteFileFromEntry, type RemoteFile } from '../src/lib/core/provenance/remote-file';
import { repoFactsFromInfo } from '../src/lib/core/provenance/repo-facts';
import { parseHubRef } from '../src/lib/core/provenance/hub-ref';
import { decodeManifestFragment, shareLink } from '../src/lib/core/provenance/share-link';
import { fixturesNotFound, SHARED_ROOT, sharedPath } from '../tests/fixture-set.mjs';

const count = Number(process.argv[2] ?? 200);
if (!SHARED_ROOT) {
  console.error(
    `link-length needs the recorded Hub responses of the external fixture set. ${fixturesNotFound()}`
  );
  process.exit(2);
}
const fixtures = sharedPath('fixtures/huggingface');
const info = JSON.parse(
  readFileSync(join(fixtures, 'recorded__model-info__openai-community_gpt2__2025-03-21.json'), 'utf8')
);
const hex = (seed: string, n: number) =>
  createHash('sha256').update(seed).digest('hex').repeat(2).slice(0, n);

function entry(i: number, expand: boolean): unknown {
  const lfs = i % 4 !== 0; // three in four are weights (LFS/Xet), the rest configs and code
  const path = lfs
    ? `checkpoints/step-${String(i).padStart(5, '0')}/model-${String(i).padStart(5, '0')}-of-00200.safetensors`
    : `configs/part-${i}/config_${i}.json`;
  const size = lfs ? 4_900_000_000 + i * 1013 : 600 + i;
  return {
    type: 'file',
    oid: hex(`oid${i}`, 40),
    size,
    ...(lfs ? { lfs: { oid: hex(`sha${i}`, 64), size, pointerSize: 135 }, xetHash: hex(`xet${i}`, 64) } : {}),
    path,
    ...(expand
      ? {
          lastCommit: {
            id: hex(`c${i % 7}`, 40),
            title: `Upload folder using huggingface_hub (#${i % 7})`,
            date: '2025-03-21T13:22:49.000Z'
          }
        }
      : {})
  };
}

for (const expand of [false, true]) {
  const files = Array.from({ length: count }, (_, i) =>
    remoteFileFromEntry(entry(i, expand))
  ) as RemoteFile[];
  const commit = info.response.body.sha;
  const capture: HubCapture = {
    ref: parseHubRef('openai-community/gpt2', 'main'),
    repoId: 'openai-community/gpt2',
    commit,
    facts: repoFactsFromInfo(info.response.body, 'openai-community/gpt2'),
    lastCommit: {
      id: commit,
      title: 'Adds the tokenizer configuration file (#80)',
      date: '2024-02-19T10:57:45.000Z',
      authors: ['lysandre']
    },
    files,
    calls: [],
    capturedAt: new Date().toISOString(),
    authenticated: false
  };
  const manifest = await manifestFromCapture(capture);
  const link = shareLink('https://safeload.example/', manifest);
  const json = JSON.stringify(manifest).length;
  const started = performance.now();
  await decodeManifestFragment(link);
  const decodeMs = performance.now() - started;
  console.log(
    `${count} files, tree expand=${expand}: manifest JSON ${json} B → link ${link.length} chars ` +
      `(${(link.length / 1024).toFixed(1)} KiB, ${link.length < 32 * 1024 ? 'under' : 'OVER'} the 32 KB target); decode+validate ${decodeMs.toFixed(1)} ms`
  );
}
