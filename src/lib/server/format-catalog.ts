import { ANALYSERS } from '../core/formats';

export type FormatGroup =
  'Weights and serialised objects' | 'Archives and compression' | 'Configs, templates and code';

export interface CatalogEntry {
  id: string;
  label: string;
  group: FormatGroup;
  /** Typical file names (a file is recognised by its bytes; names only break ties). */
  names: string;
  checks: string;
}

type Note = Omit<CatalogEntry, 'id' | 'label'>;
const W: FormatGroup = 'Weights and serialised objects';
const A: FormatGroup = 'Archives and compression';
const C: FormatGroup = 'Configs, templates and code';
const compressed = (names: string): Note => ({
  group: A,
  names,
  checks: 'bounded decompression, then the content by its bytes'
});

/** What each registered scanner checks, in words; the rows themselves come from the registry. */
const NOTES: Record<string, Note> = {
  pickle: {
    group: W,
    names: '.pkl .pickle .dill .bin … (any name)',
    checks: 'every opcode as CPython’s unpickler runs it; every import and call it would make'
  },
  'pytorch-legacy': {
    group: W,
    names: '.pt .pth .bin',
    checks: 'the stacked pickles of torch < 1.6 checkpoints'
  },
  joblib: {
    group: W,
    names: '.joblib .pkl',
    checks: 'the pickle and the NumPy arrays joblib interleaves, compressed or not'
  },
  numpy: {
    group: W,
    names: '.npy (.npz through zip)',
    checks: 'header and dtype; object arrays that carry a pickle'
  },
  safetensors: {
    group: W,
    names: '.safetensors',
    checks: 'strict header JSON, tensor bounds and overlaps, metadata'
  },
  gguf: {
    group: W,
    names: '.gguf',
    checks: 'header bounds, tensor layout, chat templates that reach Python internals'
  },
  onnx: {
    group: W,
    names: '.onnx',
    checks: 'opsets, custom operator domains, functions, external data paths'
  },
  tensorflow: {
    group: W,
    names: 'saved_model.pb .pb',
    checks: 'ops that read or write files, run code or reach the network'
  },
  'keras-h5': {
    group: W,
    names: '.h5 .hdf5',
    checks: 'model_config: Lambda layers, modules and custom objects'
  },
  'keras-metadata': { group: W, names: 'keras_metadata.pb', checks: 'the Keras config inside a SavedModel' },
  zip: {
    group: A,
    names: '.zip .pt .npz .keras …',
    checks: 'path traversal, links, bombs, CRCs, then every member by content'
  },
  tar: { group: A, names: '.tar', checks: 'path traversal and links, then every member by content' },
  gzip: compressed('.gz'),
  zlib: compressed('.z (joblib)'),
  bzip2: compressed('.bz2'),
  xz: compressed('.xz'),
  lzma: compressed('.lzma'),
  lz4: compressed('.lz4'),
  '7z': { group: A, names: '.7z', checks: 'recognised but not unpacked, so never called clean' },
  'safetensors-index': {
    group: C,
    names: 'model.safetensors.index.json',
    checks: 'shard names and tensors, checked against the shards of a folder'
  },
  'keras-config': {
    group: C,
    names: 'config.json of a .keras model',
    checks: 'Lambda layers, modules and custom objects'
  },
  'hf-config': { group: C, names: 'config.json', checks: 'auto_map remote code a loader would import' },
  'tokenizer-config': {
    group: C,
    names: 'tokenizer_config.json',
    checks: 'chat templates that reach Python internals'
  },
  'jinja-template': { group: C, names: '.jinja', checks: 'chat templates that reach Python internals' },
  'config-file': { group: C, names: '.json .yaml .yml', checks: 'shell commands and downloads in configs' },
  'python-code': {
    group: C,
    names: '.py',
    checks: 'code that starts processes, touches files or the network (lexical)'
  },
  'lfs-pointer': { group: C, names: 'any name', checks: 'Git LFS pointers shipped in place of the weights' }
};

/** Every format the scanner registry knows, in registry order, with what is checked. */
export function formatCatalog(): CatalogEntry[] {
  return ANALYSERS.map((f) => ({
    id: f.id,
    label: f.label,
    ...(NOTES[f.id] ?? { group: W, names: '', checks: 'recognised by its bytes and analysed' })
  }));
}

/** @internal Notes for formats that are no longer registered: stale text the About page would never show. */
export function staleNotes(): string[] {
  const ids = new Set(ANALYSERS.map((f) => f.id));
  return Object.keys(NOTES).filter((id) => !ids.has(id));
}
