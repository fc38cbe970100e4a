import type { PolicyRule, PolicySet } from './types';

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

export const BASELINE_POLICY_NAME = 'safeload/baseline';
export const STRICT_POLICY_NAME = 'safeload/strict';
/** The names `extends:` and `gate --policy` accept; `safeload/builtin` is the strict set's former name. */
export const BUILTIN_POLICY_NAMES = [BASELINE_POLICY_NAME, STRICT_POLICY_NAME] as const;
const LEGACY_NAMES: Record<string, string> = {
  'safeload/builtin': STRICT_POLICY_NAME,
  builtin: STRICT_POLICY_NAME
};

/** Licences the strict set allows unless the policy lists its own. */
export const DEFAULT_ALLOWED_LICENSES = [
  'apache-2.0',
  'mit',
  'bsd-3-clause',
  'bsd-2-clause',
  'cc-by-4.0',
  'openrail',
  'llama3.1'
];

/** The built-in sets' completeness rule: a model not fully analysed is not known to be safe. */
export const FULLY_ANALYSED_RULE = 'fully-analysed';

const SAFETY_RULES: PolicyRule[] = [
  {
    id: 'no-critical-findings',
    severity: 'deny',
    expression: 'model.findingCounts.critical == 0',
    message: 'The scan found something critical: loading this model runs code or worse.',
    remediation: 'Do not load the model; quarantine it and report it to the vendor.'
  },
  {
    id: 'no-high-findings',
    severity: 'deny',
    expression: 'model.findingCounts.high == 0',
    message: 'The scan found a known gadget or a tampered structure that a loader accepts.',
    remediation: 'Do not load the affected files; get a clean copy from the vendor and scan it again.'
  },
  {
    id: 'no-unsafe-pickle',
    severity: 'deny',
    expression: '!model.files.exists(f, f.pickle.present && !f.pickle.weightsOnly)',
    message: 'A file unpickles objects outside the weights-only set, so loading it can run code.',
    remediation:
      'Convert the weights to safetensors, or load only files that torch.load(weights_only=True) accepts.'
  },
  {
    id: FULLY_ANALYSED_RULE,
    severity: 'deny',
    expression: 'model.complete',
    message: 'Part of the model could not be analysed, so it is not known to be safe.',
    remediation: 'Look at the incomplete findings; re-export the file or raise the scan limits.'
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
    id: 'loaders-audited',
    severity: 'warn',
    expression: 'audit.audited || !dependencies.exists(d, d.name in params.loaderPackages)',
    message: 'Loader dependencies were not checked against a vulnerability database.',
    remediation: 'Run the gate with --osv-db (an OSV PyPI all.zip) or --online.'
  }
];

/**
 * Compliance requirements: who signed, where the files come from, under which licence. Each says when it is
 * configured; the baseline reports an unconfigured one as "not configured", the strict set always applies it.
 */
const COMPLIANCE_RULES: PolicyRule[] = [
  {
    id: 'approved-signer',
    severity: 'deny',
    configured: 'size(params.approvedSigners) > 0 || model.signature.method != null',
    notConfigured:
      'Not configured: no approved signers (params.approvedSigners) and no signer was given to verify against.',
    expression:
      'model.signature.verified && (model.signature.method != "keyless" || size(params.approvedSigners) == 0 || params.approvedSigners.exists(s, s.identity == model.signature.identity && s.issuer == model.signature.issuer))',
    message: 'The model is not signed by an approved signer (or its signature does not verify).',
    remediation: 'Ask the vendor for an OpenSSF model signature made by an approved identity or key.'
  },
  {
    id: 'provenance-pinned',
    severity: 'deny',
    configured: 'params.requirePinnedProvenance || model.provenance.present',
    notConfigured:
      'Not configured: no provenance manifest was given and params.requirePinnedProvenance is false.',
    expression: 'model.provenance.present && model.provenance.pinned && model.provenance.verified',
    message: 'The files are not verified against a provenance manifest pinned to one commit.',
    remediation: 'Capture a manifest at a full commit hash, commit it, and download exactly that commit.'
  },
  {
    id: 'license-allowed',
    severity: 'deny',
    configured: 'size(params.allowedLicenses) > 0',
    notConfigured: 'Not configured: no licence allowlist (params.allowedLicenses).',
    expression: 'model.license != null && model.license in params.allowedLicenses',
    message: 'The model licence is missing or not on the allowed list.',
    remediation: 'Have the licence reviewed, or choose a model under an allowed licence.'
  }
];

const SHARED_PARAMS = {
  loaderPackages: LOADER_PACKAGES,
  blockingVulnSeverities: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']
};

/**
 * The default of `gate` and of the registry: deny what makes loading unsafe (critical or high findings,
 * unsafe pickle, incomplete analysis, vulnerable loaders); signers, licences and pinned provenance apply
 * only once configured (params, or a manifest / signer given to the run).
 */
export const BASELINE_POLICY: PolicySet = {
  name: BASELINE_POLICY_NAME,
  description:
    'Safeload baseline: denies what makes loading unsafe. Signers, licence allowlist and pinned provenance apply once configured.',
  params: {
    approvedSigners: [],
    allowedLicenses: [],
    requirePinnedProvenance: false,
    ...SHARED_PARAMS
  },
  rules: [...SAFETY_RULES, ...COMPLIANCE_RULES]
};

/** The baseline with every requirement enforced: a signature, a pinned manifest and an allowed licence. */
export const STRICT_POLICY: PolicySet = {
  name: STRICT_POLICY_NAME,
  description:
    'Safeload strict: the baseline plus a verified signature, files verified against a manifest pinned to one commit, and an allowed licence.',
  params: {
    approvedSigners: [],
    allowedLicenses: DEFAULT_ALLOWED_LICENSES,
    requirePinnedProvenance: true,
    ...SHARED_PARAMS
  },
  rules: [
    ...SAFETY_RULES,
    ...COMPLIANCE_RULES.map(({ configured: _always, notConfigured: _never, ...rule }) => rule)
  ]
};

/** A built-in set by name (`safeload/baseline`, `safeload/strict`, or the former `safeload/builtin`). */
export function builtinPolicy(name: string): PolicySet | null {
  const resolved = LEGACY_NAMES[name] ?? name;
  return resolved === BASELINE_POLICY_NAME
    ? BASELINE_POLICY
    : resolved === STRICT_POLICY_NAME
      ? STRICT_POLICY
      : null;
}
