import { stat } from 'node:fs/promises';
import type { ModelFile } from '../core/signing/model-diff';
import { openFileSource } from './file-source';
import type { FileReport } from '../core/findings';
import { walkPaths, type WalkError } from './walk';

export interface OpenedModel {
  files: ModelFile[];
  /** Entries that are not files a signature can cover (links out of the folder, loops, FIFOs, devices). */
  entries: FileReport[];
  /** Entries that could not be read (and the entry bound, when reached): verifying is then an error. */
  errors: WalkError[];
  /** True when MODEL_PATH is one file (its resource name is "."). */
  singleFile: boolean;
  close(): Promise<void>;
}

/** Opens every file of a model folder (or the one model file) as ModelFiles with folder-relative paths. */
export async function openModel(modelPath: string): Promise<OpenedModel> {
  const info = await stat(modelPath);
  const walk = await walkPaths([modelPath]);
  const errors = [...walk.errors];
  if (walk.stoppedAt !== undefined) {
    errors.push({ path: modelPath, message: `more than ${walk.stoppedAt} entries: the rest was not walked` });
  }
  const label = modelPath.replace(/\/+$/, '') || modelPath;
  const opened: { close: () => Promise<void> }[] = [];
  const model: ModelFile[] = [];
  try {
    for (const f of walk.files) {
      const handle = await openFileSource(f.fsPath);
      opened.push(handle);
      const path = info.isDirectory() ? f.displayPath.slice(label.length + 1) : '.';
      model.push({ path, source: handle.source });
    }
  } catch (err) {
    await Promise.all(opened.map((h) => h.close()));
    throw err;
  }
  return {
    files: model,
    entries: walk.entries,
    errors,
    singleFile: !info.isDirectory(),
    close: async () => {
      await Promise.all(opened.map((h) => h.close()));
    }
  };
}
