/** One tensor whose bytes live outside the .onnx file (TensorProto.data_location = EXTERNAL). */
export interface ExternalReference {
  tensor: string;
  location: string;
  offset?: string;
  length?: string;
  checksum?: string;
  /** Offset of the TensorProto in the model file. */
  at: number;
}

export type LocationProblem = 'absolute' | 'parent' | 'url' | 'empty';

/**
 * Why ONNX's loader would read outside the model's folder for this `location`, if it would. onnxruntime and
 * onnx.load join the location onto the model's directory, so an absolute path or `..` escapes it.
 */
export function locationProblem(location: string): LocationProblem | undefined {
  if (location.trim() === '') return 'empty';
  const path = location.replace(/\\/g, '/');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return 'url';
  if (path.startsWith('/') || /^[a-z]:/i.test(path)) return 'absolute';
  if (path.split('/').some((part) => part === '..')) return 'parent';
  return undefined;
}

/**
 * The folder-relative path an external reference resolves to (for a folder-level existence check), or
 * undefined when it leaves the model's folder. `modelPath` is the model's path inside the dropped folder.
 */
export function resolveExternalLocation(modelPath: string, location: string): string | undefined {
  if (locationProblem(location)) return undefined;
  const dir = modelPath.replace(/\\/g, '/').split('/').slice(0, -1);
  const parts = [...dir];
  for (const part of location.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    parts.push(part);
  }
  return parts.join('/');
}

/** References whose file is missing from the dropped folder (`files` holds folder-relative paths). */
export function missingExternalFiles(
  modelPath: string,
  refs: readonly ExternalReference[],
  files: ReadonlySet<string>
): ExternalReference[] {
  return refs.filter((ref) => {
    const resolved = resolveExternalLocation(modelPath, ref.location);
    return resolved !== undefined && !files.has(resolved);
  });
}
