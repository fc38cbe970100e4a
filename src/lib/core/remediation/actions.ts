import { severityRank } from '../findings';
import type { PolicyEvaluation, RuleResult } from '../policy/types';
import { isCommitSha, isValidRepoId } from '../provenance/hub-ref';
import { shellCommand } from '../report/escape';
import { wrongSigner } from '../triage/describe';
import type { TriageFile, TriageReport } from '../triage/types';
import type { ActionKind, PlanCounts, PlanFile, RemediationAction, RemediationPlan } from './types';

type Builder = (rule: RuleResult, report: TriageReport) => Omit<RemediationAction, 'ruleId' | 'severity'>[];

const MAX_TARGETS = 50;

function clip(list: string[]): string[] {
  return list.length > MAX_TARGETS
    ? [...list.slice(0, MAX_TARGETS), `… and ${list.length - MAX_TARGETS} more`]
    : list;
}

/** A file as a target: its path and SHA-256, so the report names exactly these bytes. */
function fileTarget(f: TriageFile, detail?: string): string {
  return `${f.path} (sha256 ${f.sha256 ?? 'not computed'})${detail ? `: ${detail}` : ''}`;
}

function hasCritical(f: TriageFile): boolean {
  return f.findings.some((x) => x.severity === 'critical');
}

/** Every file with a finding at exactly this severity, with its SHA-256 and its first two such findings. */
function flaggedTargets(report: TriageReport, severity: 'critical' | 'high'): string[] {
  return clip(
    report.files.flatMap((f) => {
      const titles = f.findings.filter((x) => x.severity === severity).map((x) => x.title);
      return titles.length ? [fileTarget(f, titles.slice(0, 2).join('; '))] : [];
    })
  );
}

/** Files named one by one in the suggested convert command; more become a folder conversion. */
const MAX_COMMAND_FILES = 10;

/** A path as a command argument: one starting with "-" would read as an option. */
function argPath(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/**
 * `safeload convert` for these files, each path one quoted shell word: one file into model.safetensors
 * next to it; several into their common folder (shards and index as needed); many as a whole folder.
 */
function convertCommandFor(paths: string[]): string {
  if (paths.length > MAX_COMMAND_FILES) return 'safeload convert MODEL_DIR -o MODEL_DIR';
  const dirs = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')));
  const dir = dirs.size === 1 ? [...dirs][0] : '';
  const output =
    paths.length === 1 ? (dir ? `${dir}/model.safetensors` : 'model.safetensors') : dir || 'safetensors';
  return shellCommand(['safeload', 'convert', ...paths.map(argPath), '-o', argPath(output)]);
}

const convertPickles: Builder = (_rule, report) => {
  const unsafe = report.files.filter((f) => f.pickle.present && !f.pickle.weightsOnly);
  if (unsafe.length === 0) return [];
  // Critical files are quarantined, never converted: whoever planted a payload may also have altered the weights.
  const files = unsafe.filter((f) => !hasCritical(f));
  if (files.length === 0)
    return [
      {
        kind: 'convert-to-safetensors',
        title: 'Get safetensors weights from the vendor instead of the quarantined files',
        targets: [],
        steps: [
          'Do not convert the quarantined files: whoever planted a payload in them may also have altered the weights.',
          'Ask the vendor for a safetensors export built from a clean checkpoint, and scan it before use.'
        ]
      }
    ];
  return [
    {
      kind: 'convert-to-safetensors',
      title: 'Replace pickle-based weights with safetensors',
      targets: clip(
        files.map((f) =>
          fileTarget(
            f,
            `${f.format}${f.pickle.unsafeImports.length ? `; imports ${f.pickle.unsafeImports.slice(0, 3).join(', ')}` : ''}`
          )
        )
      ),
      steps: [
        'Ask the vendor for a safetensors export of the same weights (most Hub models publish model.safetensors).',
        'Or convert them with Safeload (the "Convert to safetensors" action, or safeload convert in CI): it rebuilds the tensors without loading the file, so nothing in it runs, and lists whatever it leaves out.',
        'Publish only the safetensors file and remove the pickle files from the model folder.',
        'Re-run the gate on the new folder.'
      ],
      command: convertCommandFor(files.map((f) => f.path))
    }
  ];
};

const quarantine: Builder = (_rule, report) => {
  return [
    {
      kind: 'quarantine',
      title: 'Do not load the model; quarantine it and report it',
      targets: flaggedTargets(report, 'critical'),
      steps: [
        'Stop any job that loads this model and delete downloaded copies from shared caches.',
        'Keep one copy, hash-identified, for the investigation.',
        'Report the findings to the vendor and to the hosting platform with the SHA-256 of each file.'
      ]
    }
  ];
};

const replaceFiles: Builder = (_rule, report) => {
  return [
    {
      kind: 'replace-files',
      title: 'Do not load the files with high findings; get clean copies',
      targets: flaggedTargets(report, 'high'),
      steps: [
        'Keep the files out of any loader: a loader accepts what the scan flagged.',
        'Download the files again from the vendor, compare their SHA-256 with the ones above, and scan again.',
        'If the vendor ships them like this, report the findings with the SHA-256 of each file.'
      ]
    }
  ];
};

const requestSignature: Builder = (_rule, report) => {
  const s = report.signature;
  const state = !s.present
    ? 'no signature (model.sig) ships with the model'
    : wrongSigner(s) || s.verified
      ? `it is signed by ${s.identities.join(', ') || `key ${s.keyFingerprint ?? '(unknown)'}`}, which is not an approved signer`
      : !s.checked
        ? `the signature was not checked: ${s.error ?? 'no signer to check it against'}`
        : `the signature does not verify: ${s.error ?? 'unknown reason'}`;
  return [
    {
      kind: 'request-signature',
      title: 'Ask the vendor for a signature by an approved identity',
      targets: [state],
      steps: [
        'Ask the vendor to sign the model folder with OpenSSF model signing (model_signing sign …) from their release workflow.',
        'Agree the signing identity and OIDC issuer, and add them to the policy parameter approvedSigners.',
        'Verify with: safeload verify MODEL_DIR --identity ID --issuer URL'
      ],
      command: 'model_signing sign sigstore MODEL_DIR --signature MODEL_DIR/model.sig'
    }
  ];
};

const pinCommit: Builder = (_rule, report) => {
  const p = report.provenance;
  const targets = !p.present
    ? ['no provenance manifest was given']
    : [
        ...(p.pinned
          ? []
          : [`the manifest names no full commit (requested ${p.requestedRevision ?? 'default branch'})`]),
        ...p.problems.map((x) => `${x.path}: ${x.status}${x.detail ? ` (${x.detail})` : ''}`)
      ];
  return [
    {
      kind: 'pin-commit',
      title: 'Pin the model to one commit and verify the files against it',
      targets: clip(targets),
      steps: [
        'Capture a provenance manifest at a full 40-character commit hash (Safeload provenance view) and commit it next to the CI job.',
        'Download exactly that revision, e.g. huggingface-cli download REPO --revision COMMIT --local-dir MODEL_DIR.',
        'Run the gate with --manifest pointing at the committed manifest.'
      ],
      // Only a valid repo id and a full commit become a command, and every value in it is quoted.
      command:
        isValidRepoId(p.repoId) && isCommitSha(p.commit)
          ? shellCommand([
              'huggingface-cli',
              'download',
              p.repoId,
              '--revision',
              p.commit,
              '--local-dir',
              'MODEL_DIR'
            ])
          : undefined
    }
  ];
};

const upgradeDependencies: Builder = (_rule, report) =>
  report.dependencies.packages
    .filter((d) => d.vulns.length > 0)
    .map((d) => ({
      kind: 'upgrade-dependency',
      title: d.fixVersion
        ? `Upgrade ${d.name} ${d.version} → ${d.fixVersion}`
        : `Replace or patch ${d.name} ${d.version}`,
      targets: clip(
        d.vulns.map(
          (v) =>
            `${v.id} (${v.severity}${v.fixed.length ? `, fixed in ${v.fixed.join(', ')}` : ', no fix known'})`
        )
      ),
      steps: [
        d.fixVersion
          ? `Pin ${d.name}==${d.fixVersion} in ${d.declaredIn.join(', ') || 'the requirements'} and re-lock.`
          : `No fixed release is known: isolate the loader, or move to another package.`,
        'Re-run the gate with the same vulnerability database.'
      ],
      command: d.fixVersion ? shellCommand(['pip', 'install', `${d.name}==${d.fixVersion}`]) : undefined
    }));

const auditDependencies: Builder = (_rule, report) => [
  {
    kind: 'audit-dependencies',
    title: 'Audit the loader dependencies against a vulnerability database',
    targets: [report.dependencies.notAuditedReason ?? 'dependencies were not audited'],
    steps: [
      'Download the OSV PyPI database (https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip) into the CI cache.',
      'Run the gate with --osv-db PyPI-all.zip (offline), or with --online to ask api.osv.dev.'
    ]
  }
];

const reviewLicense: Builder = (_rule, report) => [
  {
    kind: 'review-license',
    title: report.license.id
      ? `Have the licence "${report.license.id}" reviewed`
      : 'Find out the model licence',
    targets: [
      report.license.id
        ? `licence ${report.license.id} (from ${report.license.source})`
        : 'no licence declared'
    ],
    steps: [
      report.license.id
        ? 'Ask legal to review the licence; if approved, add it to the policy parameter allowedLicenses.'
        : 'Ask the vendor to declare a licence in the model card (license: …) or in the repository.',
      'Otherwise choose a model under an allowed licence.'
    ]
  }
];

const rescan: Builder = (_rule, report) => [
  {
    kind: 'rescan',
    title: 'Resolve the parts that could not be analysed',
    targets: clip(report.files.filter((f) => !f.complete).map((f) => fileTarget(f))),
    steps: ['Read the "analysis incomplete" findings; re-export or re-download the files and scan again.']
  }
];

const BUILDERS: Record<string, Builder> = {
  'no-unsafe-pickle': convertPickles,
  'no-critical-findings': quarantine,
  'no-high-findings': replaceFiles,
  'approved-signer': requestSignature,
  'provenance-pinned': pinCommit,
  'no-vulnerable-loaders': upgradeDependencies,
  'loaders-audited': auditDependencies,
  'license-allowed': reviewLicense,
  'fully-analysed': rescan
};

function fallback(rule: RuleResult): Omit<RemediationAction, 'ruleId' | 'severity'>[] {
  if (rule.outcome === 'error')
    return [
      {
        kind: 'fix-policy',
        title: `Fix the policy rule ${rule.id}`,
        targets: [
          rule.error
            ? `${rule.error.line}:${rule.error.column} ${rule.error.message}`
            : 'the rule could not be evaluated'
        ],
        steps: ['Correct the expression; the policy editor shows the position of the problem.']
      }
    ];
  return [
    {
      kind: 'follow-policy',
      title: rule.message,
      targets: [],
      steps: [rule.remediation ?? 'Ask the policy owner what this rule requires.']
    }
  ];
}

/** What to do first: stop the harm (quarantine), then make the model safe, then make it compliant. */
const PRIORITY: ActionKind[] = [
  'quarantine',
  'replace-files',
  'convert-to-safetensors',
  'rescan',
  'upgrade-dependency',
  'pin-commit',
  'request-signature',
  'review-license',
  'audit-dependencies',
  'follow-policy',
  'fix-policy'
];
const SEVERITY_ORDER = { deny: 0, warn: 1, info: 2 };

function planCounts(evaluation: PolicyEvaluation, actions: number): PlanCounts {
  const violated = { deny: 0, warn: 0, info: 0 };
  for (const r of evaluation.results) if (r.outcome === 'violation') violated[r.severity]++;
  return {
    violated,
    errors: evaluation.results.filter((r) => r.outcome === 'error').length,
    notConfigured: evaluation.results.filter((r) => r.outcome === 'not-configured').length,
    actions
  };
}

function planFiles(report: TriageReport): PlanFile[] {
  return [...report.files]
    .sort((a, b) => severityRank(b.verdict) - severityRank(a.verdict) || a.path.localeCompare(b.path))
    .map((f) => ({ path: f.path, sha256: f.sha256, verdict: f.verdict }));
}

/**
 * For each violated (or failing) rule, the concrete actions that would make the model comply, deny rules
 * first and, among them, quarantine first. Requirements that are not configured need no action.
 */
export function planRemediation(report: TriageReport, evaluation: PolicyEvaluation): RemediationPlan {
  const actions: RemediationAction[] = [];
  const failing = evaluation.results.filter((r) => r.outcome === 'violation' || r.outcome === 'error');
  for (const rule of failing) {
    const builder = rule.outcome === 'violation' ? BUILDERS[rule.id] : undefined;
    let built = builder ? builder(rule, report) : [];
    if (built.length === 0) built = fallback(rule);
    for (const action of built) actions.push({ ruleId: rule.id, severity: rule.severity, ...action });
  }
  // A stable sort: actions of one rule keep their order.
  actions.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind)
  );
  return {
    model: { name: report.model.name, version: report.model.version, source: report.model.source },
    policy: evaluation.policy.name,
    outcome: evaluation.outcome,
    evaluatedAt: evaluation.evaluatedAt,
    counts: planCounts(evaluation, actions.length),
    files: planFiles(report),
    actions
  };
}
