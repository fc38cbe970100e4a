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
import { pickleFormat } from './pickle';
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
  // weights and serialised objects
  pickleFormat,
  pytorchLegacyFormat,
  joblibFormat,
  numpyFormat,
  safetensorsFormat,
  ggufFormat,
  onnxFormat,
  tensorflowFormat,
  kerasH5Format,
  kerasSavedMetadataFormat,
  // containers (members are scanned by content through this same registry)
  zipFormat,
  tarFormat,
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
