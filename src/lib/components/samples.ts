/**
 * Sample files built into the app (static/samples/, copies of test fixtures: tests/unit/samples.test.ts
 * checks they are byte-identical). Fetched from the app's own origin only when the user asks.
 */
export const SAMPLES = [
  {
    name: 'tiny-model.safetensors',
    what: 'benign safetensors weights',
    fixture: 'safetensors/tiny-benign.safetensors'
  },
  { name: 'state-dict.pt', what: 'benign PyTorch state dict', fixture: 'models/torch_state_dict.pt' },
  {
    name: 'evil-checkpoint.pt',
    what: 'PyTorch checkpoint whose pickle runs os.system',
    fixture: 'models/torch_zip_os_system.pt'
  },
  {
    name: 'custom-op.onnx',
    what: 'ONNX model with a custom operator domain',
    fixture: 'onnx/custom_domain.onnx'
  },
  { name: 'tiny-llm.gguf', what: 'benign GGUF language model header', fixture: 'gguf/tiny-benign.gguf' }
] as const;

/** The folder the samples appear under in the file list. */
export const SAMPLE_FOLDER = 'safeload-samples';
