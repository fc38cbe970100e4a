// The recorded Hugging Face cache example rebuilt at test time: its snapshot entries become real relative
// symlinks to ../../blobs/<id>, as huggingface_hub writes them, or (the second form) files holding the link
// target as text, as git with symlinks off or some archivers leave them.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { HF_FIXTURES } from './provenance-hub-fixtures';

export const RECORDED_CACHE = join(HF_FIXTURES, 'local/hf-hub-cache');
export const BERT_CACHE_FOLDER = 'models--google-bert--bert-base-uncased';
const LINK_TEXT = /^(?:\.\.\/)+blobs\/[0-9a-f]{40,64}$/;

export type LinkForm = 'symlink' | 'text';

/** Copies the recorded cache into a fresh temp folder with its links in the given form; returns the copy's root. */
export function buildHubCache(form: LinkForm): string {
  const root = mkdtempSync(join(tmpdir(), `hf-hub-cache-${form}-`));
  cpSync(RECORDED_CACHE, root, { recursive: true });
  if (form === 'symlink') {
    for (const file of filesUnder(join(root, BERT_CACHE_FOLDER, 'snapshots'))) {
      const target = readFileSync(file, 'utf8').trim();
      if (!LINK_TEXT.test(target)) continue;
      rmSync(file);
      symlinkSync(target, file);
    }
  }
  return root;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The snapshot entries of a built cache, relative to its root (to check the form really is what was asked). */
export function snapshotEntries(root: string): string[] {
  return filesUnder(join(root, BERT_CACHE_FOLDER, 'snapshots')).map((p) => relative(root, p));
}
