/**
 * Names that say "model data": a loader unpickles files named like this, or a format Safeload checks claims
 * them. A file or member named like this that no format identifies and that is no pickle is a medium finding
 * (a plain `.txt` that is neither is only info).
 */
const MODEL_EXTENSION =
  /\.(bin|pt|pth|ckpt|pkl|pickle|dill|joblib|sav|th|npy|npz|safetensors|gguf|onnx|h5|hdf5|keras|pb)$/i;

/** Compression suffixes a loader strips (joblib's compressors, `torch.load` of a gzip'd file by hand). */
const COMPRESSION_SUFFIX = /\.(gz|gzip|bz2|xz|lzma|z|zlib|lz4|zst)$/i;

export function namedAsModel(name: string): boolean {
  const base = name.split(/[/\\]/).pop() ?? name;
  return MODEL_EXTENSION.test(base.replace(COMPRESSION_SUFFIX, ''));
}
