import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface WalkedFile {
  /** Absolute or as-given path to open. */
  fsPath: string;
  /** Path shown in reports: relative to the folder given (prefixed with its name), or the file as given. */
  displayPath: string;
}

export interface WalkProblem {
  path: string;
  message: string;
}

const MAX_FILES = 1_000_000;

/** Expands files and folders (recursively, sorted, symlinks not followed) into the files to scan. */
export async function walkPaths(
  inputs: readonly string[]
): Promise<{ files: WalkedFile[]; problems: WalkProblem[] }> {
  const files: WalkedFile[] = [];
  const problems: WalkProblem[] = [];
  const visit = async (fsPath: string, root: string, rootLabel: string): Promise<void> => {
    if (files.length >= MAX_FILES) return;
    const info = await lstat(fsPath);
    if (info.isSymbolicLink()) {
      problems.push({ path: fsPath, message: 'symbolic link not followed' });
    } else if (info.isDirectory()) {
      const entries = (await readdir(fsPath)).sort();
      for (const entry of entries) await visit(join(fsPath, entry), root, rootLabel);
    } else if (info.isFile()) {
      const rel = relative(root, fsPath).split(sep).join('/');
      files.push({ fsPath, displayPath: rel ? `${rootLabel}/${rel}` : rootLabel });
    } else {
      problems.push({ path: fsPath, message: 'not a regular file' });
    }
  };
  for (const input of inputs) {
    try {
      await visit(input, input, input.replace(/\/+$/, '') || input);
    } catch (err) {
      problems.push({ path: input, message: (err as Error).message });
    }
  }
  return { files, problems };
}
