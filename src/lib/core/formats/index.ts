import { hfConfigFormat } from './hf-config';
import { pythonCodeFormat } from './python-code';
import { COMPRESSED_FORMATS } from './compressed';
import { joblibFormat } from './joblib';
import { numpyFormat } from './numpy';
import { pickleFormat } from './pickle';
import { pytorchLegacyFormat } from './pytorch';
import { tarFormat } from './tar';
import { zipFormat } from './zip';
import { kerasH5Format, kerasJsonFormat, kerasSavedMetadataFormat } from './keras';
import { onnxScanner } from './onnx';
import { tensorflowScanner } from './tensorflow';
import { safetensors } from './safetensors';
import { safetensorsIndex } from './safetensors/index-scanner';
import { gguf } from './gguf';
import { tokenizerConfig } from './chat-template/tokenizer-config';
import { jinjaTemplate } from './chat-template/jinja-file';
import { lfsPointer } from './lfs-pointer';
import type { FormatScanner } from './types';

/** The registry: adding a format is one module under formats/ and one line here. Order is report order. */
export const FORMATS: readonly FormatScanner[] = [
  hfConfigFormat,
  pythonCodeFormat,
  zipFormat,
  tarFormat,
  numpyFormat,
  pytorchLegacyFormat,
  pickleFormat,
  joblibFormat,
  ...COMPRESSED_FORMATS,
  onnxScanner,
  tensorflowScanner,
  kerasH5Format,
  kerasJsonFormat,
  kerasSavedMetadataFormat,
  safetensors,
  safetensorsIndex,
  gguf,
  tokenizerConfig,
  jinjaTemplate,
  lfsPointer
];
