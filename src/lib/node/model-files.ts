import { stat } from 'node:fs/promises';
import type { ModelFile } from '../core/signing/model-diff';
import { openFileSource } from './file-source';
import { walkPaths, type WalkProblem } from './walk';

export interface OpenedModel {
  files: ModelFile[];
  problems: WalkProblem[];
  /** True when MODEL_PATH is one file (its resource name is "."). */
  singleFile: boolean;
  close(): Promise<void>;
}

/** Opens every file of a model folder (or the one model file) as ModelFiles with folder-relative paths. */
export async function openModel(modelPath: string): Promise<OpenedModel> {
  const info = await stat(modelPath);
  const { files, problems } = await walkPaths([modelPath]);
  const label = modelPath.replace(/\/+$/, '') || modelPath;
  const opened: { close: () => Promise<void> }[] = [];
  const model: ModelFile[] = [];
  try {
    for (const f of files) {
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
    problems,
    singleFile: !info.isDirectory(),
    close: async () => {
      await Promise.all(opened.map((h) => h.close()));
    }
  };
}
