import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MALICIOUS_PICKLE, writeTree } from './helpers';

/** A folder with one file of each kind of verdict, made from the committed fixtures and a few bytes. */
export function verdictFolder(root: string): string {
  const fixture = (rel: string) => new Uint8Array(readFileSync(join('tests/fixtures', rel)));
  const safetensors = fixture('safetensors/tiny-benign.safetensors');
  writeTree(join(root, 'vendor'), {
    'evil.pkl': MALICIOUS_PICKLE,
    'model.safetensors': safetensors,
    'broken.safetensors': safetensors.subarray(0, 40),
    'overlap.gguf': fixture('gguf/overlap.gguf'),
    'notes.txt': new TextEncoder().encode('release notes\n'),
    'sub/state.pkl': Uint8Array.of(0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e)
  });
  return join(root, 'vendor');
}
