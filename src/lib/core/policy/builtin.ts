import type { PolicySet } from './types';

/** Python packages that load model files; a vulnerability in one of them is a vulnerability in loading. */
export const LOADER_PACKAGES = [
  'torch',
  'transformers',
  'safetensors',
  'huggingface-hub',
  'diffusers',
  'sentence-transformers',
  'accelerate',
  'peft',
  'joblib',
  'scikit-learn',
  'numpy',
  'tensorflow',
  'tensorflow-cpu',
  'tensorflow-gpu',
  'keras',
  'tf-keras',
  'onnx',
  'onnxruntime',
  'onnxruntime-gpu',
  'llama-cpp-python',
  'gguf',
  'vllm',
  'mlflow',
  'paddlepaddle',
  'pytorch-lightning',
  'lightning',
  'skops',
  'pandas',
  'pyyaml',
  'cloudpickle',
  'dill'
];

export const BUILTIN_POLICY_NAME = 'safeload/builtin';

/** The built-in policy set. A policy file can extend it (`extends: safeload/builtin`) and override params. */
export const BUILTIN_POLICY: PolicySet = {
  name: BUILTIN_POLICY_NAME,
  description:
    'Safeload built-in gate: safe serialisation, approved signers, provenance, dependencies, licence.',
  params: {
    approvedSigners: [],
    allowedLicenses: [
      'apache-2.0',
      'mit',
      'bsd-3-clause',
      'bsd-2-clause',
      'cc-by-4.0',
      'openrail',
      'llama3.1'
    ],
    loaderPackages: LOADER_PACKAGES,
    blockingVulnSeverities: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']
  },
  rules: [
    {
      id: 'no-unsafe-pickle',
      severity: 'deny',
      expression: '!model.files.exists(f, f.pickle.present && !f.pickle.weightsOnly)',
      message: 'A file unpickles objects outside the weights-only set, so loading it can run code.',
      remediation:
        'Convert the weights to safetensors, or load only files that torch.load(weights_only=True) accepts.'
    },
    {
      id: 'approved-signer',
      severity: 'deny',
      expression:
        'model.signature.verified && params.approvedSigners.exists(s, s.identity == model.signature.identity && s.issuer == model.signature.issuer)',
      message: 'The model is not signed by an approved identity (or its signature does not verify).',
      remediation: 'Ask the vendor for an OpenSSF model signature made by an approved identity.'
    },
    {
      id: 'no-critical-findings',
      severity: 'deny',
      expression: 'model.findingCounts.critical == 0',
      message: 'The scan found something critical: loading this model runs code or worse.',
      remediation: 'Do not load the model; quarantine it and report it to the vendor.'
    },
    {
      id: 'provenance-pinned',
      severity: 'deny',
      expression: 'model.provenance.present && model.provenance.pinned && model.provenance.verified',
      message: 'The files are not verified against a provenance manifest pinned to one commit.',
      remediation: 'Capture a manifest at a full commit hash, commit it, and download exactly that commit.'
    },
    {
      id: 'no-vulnerable-loaders',
      severity: 'deny',
      expression:
        '!dependencies.exists(d, d.name in params.loaderPackages && d.vulns.exists(v, v.severity in params.blockingVulnSeverities))',
      message: 'A package that loads the model has a known vulnerability.',
      remediation: 'Upgrade the dependency to a fixed version.'
    },
    {
      id: 'license-allowed',
      severity: 'deny',
      expression: 'model.license != null && model.license in params.allowedLicenses',
      message: 'The model licence is missing or not on the allowed list.',
      remediation: 'Have the licence reviewed, or choose a model under an allowed licence.'
    },
    {
      id: 'loaders-audited',
      severity: 'warn',
      expression: 'audit.audited || !dependencies.exists(d, d.name in params.loaderPackages)',
      message: 'Loader dependencies were not checked against a vulnerability database.',
      remediation: 'Run the gate with --osv-db (an OSV PyPI all.zip) or --online.'
    },
    {
      id: 'fully-analysed',
      severity: 'warn',
      expression: 'model.complete',
      message: 'Part of the model could not be analysed, so it is not known to be safe.',
      remediation: 'Look at the incomplete findings; re-export the file or raise the scan limits.'
    }
  ]
};
