import { jinjaTemplateFormat } from './chat-template/jinja-file';
import { tokenizerConfigFormat } from './chat-template/tokenizer-config';
import { COMPRESSED_FORMATS } from './compressed';
import { configFileFormat } from './config-file';
import { ggufFormat } from './gguf';
import { hfConfigFormat } from './hf-config';
import { joblibFormat } from './joblib';
import { kerasH5Format, kerasJsonFormat, kerasSavedMetadataFormat } from './keras';
import { lfsPointerFormat } from './lfs-pointer';
import { numpyFormat } from './numpy';
import { onnxFormat } from './onnx';
import { pythonCodeFormat } from './python-code';
import { pytorchLegacyFormat, torchScriptCodeFormat } from './pytorch';
import { safetensorsFormat } from './safetensors';
import { safetensorsIndexFormat } from './safetensors/index-scanner';
import { tarFormat } from './tar';
import { tensorflowFormat } from './tensorflow';
import type { FormatScanner } from './types';
import { zipFormat } from './zip';

/**
 * The registry: adding a format is one module under formats/ and one line here. Every format whose sniff
 * matches scans the file, in this order (which is also report order).
 */
export const FORMATS: readonly FormatScanner[] = [
  // weights and serialised objects (pickle dialects first: they read the stream with their loader's options)
  pytorchLegacyFormat,
  joblibFormat,
  numpyFormat,
  safetensorsFormat,
  ggufFormat,
  onnxFormat,
  tensorflowFormat,
  kerasH5Format,
  kerasSavedMetadataFormat,
  // containers (members are scanned by content through this same registry); tar, found from its first block,
  // before zip, which may be found from its end inside a tar's last member (zip/index.ts then defers to it)
  tarFormat,
  zipFormat,
  ...COMPRESSED_FORMATS,
  // configs, templates and code that ship with a model
  safetensorsIndexFormat,
  kerasJsonFormat,
  hfConfigFormat,
  tokenizerConfigFormat,
  jinjaTemplateFormat,
  configFileFormat,
  torchScriptCodeFormat,
  pythonCodeFormat,
  lfsPointerFormat
];

/**
 * Not a format but the fallback for all of them: every file and member (except those a container says are
 * read raw) is also read the way pickle.load would read it, whatever it starts with.
 */
export { analyseFileAsPickle as readAsPickle } from './pickle';

/** Every analyser the registry runs, for listings: the pickle reader (it reads every file), then the formats. */
export const ANALYSERS: readonly { id: string; label: string }[] = [
  { id: 'pickle', label: 'Python pickle' },
  ...FORMATS
];
