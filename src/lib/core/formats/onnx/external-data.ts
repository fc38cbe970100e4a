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
