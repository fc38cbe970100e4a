// A vendor repo made at test time: two safetensors shards with their index, a config, a PyTorch zip that runs
// os.system on load (the committed fixture made by tests/fixtures/make_fixtures.py) and a large raw pickle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packedSafetensors } from '../fixtures/safetensors/build';
import type { EmulatedRepo } from './server';

export const SAMPLE_COMMIT = '1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c';
export const SAMPLE_REPO_ID = 'acme/vendor-model';
const enc = (text: string) => new TextEncoder().encode(text);

/** A protocol-2 pickle of a long list of small ints: harmless, but only readable whole. */
function longPickle(items: number): Uint8Array {
  const body = [0x80, 0x02, 0x5d]; // PROTO 2, EMPTY_LIST
  for (let i = 0; i < items; i++) body.push(0x4b, i & 0xff, 0x61); // BININT1, APPEND
  body.push(0x2e); // STOP
  return Uint8Array.from(body);
}

export function sampleRepo(): EmulatedRepo {
  const shard = (n: number) =>
    packedSafetensors(
      Array.from(
        { length: 4 },
        (_, i) => [`layers.${n * 4 + i}.weight`, 'F16', [512, 1024]] as [string, string, number[]]
      ),
      { format: 'pt', producer: 'emulated vendor export' }
    );
  const index = {
    metadata: { total_size: 8 * 512 * 1024 * 2 },
    weight_map: Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [
        `layers.${i}.weight`,
        `model-0000${i < 4 ? 1 : 2}-of-00002.safetensors`
      ])
    )
  };
  return {
    repoId: SAMPLE_REPO_ID,
    commit: SAMPLE_COMMIT,
    files: {
      'config.json': { content: enc('{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}\n') },
      'model.safetensors.index.json': { content: enc(JSON.stringify(index)) },
      'model-00001-of-00002.safetensors': { content: shard(0), lfs: true, securityStatus: 'safe' },
      'model-00002-of-00002.safetensors': { content: shard(1), lfs: true, securityStatus: 'safe' },
      'legacy/evil.pt': {
        content: readFileSync(join(import.meta.dirname, '../fixtures/models/torch_zip_os_system.pt')),
        lfs: true,
        securityStatus: 'unsafe'
      },
      'optimizer.pkl': { content: longPickle(1_500_000), lfs: true }
    }
  };
}
