import type { PolicyEvaluation, RuleResult } from '../policy/types';
import { isCommitSha, isValidRepoId } from '../provenance/hub-ref';
import { shellCommand } from '../report/escape';
import type { TriageReport } from '../triage/types';
import type { ActionKind, RemediationAction, RemediationPlan } from './types';

type Builder = (rule: RuleResult, report: TriageReport) => Omit<RemediationAction, 'ruleId' | 'severity'>[];

const MAX_TARGETS = 50;

function clip(list: string[]): string[] {
  return list.length > MAX_TARGETS
    ? [...list.slice(0, MAX_TARGETS), `… and ${list.length - MAX_TARGETS} more`]
    : list;
}

const convertPickles: Builder = (_rule, report) => {
  const files = report.files.filter((f) => f.pickle.present && !f.pickle.weightsOnly);
  if (files.length === 0) return [];
  return [
    {
      kind: 'convert-to-safetensors',
      title: 'Replace pickle-based weights with safetensors',
      targets: clip(
        files.map(
          (f) =>
            `${f.path} (${f.format}${f.pickle.unsafeImports.length ? `; imports ${f.pickle.unsafeImports.slice(0, 3).join(', ')}` : ''})`
        )
      ),
      steps: [
        'Ask the vendor for a safetensors export of the same weights (most Hub models publish model.safetensors).',
        'If you must convert yourself, do it in a disposable sandbox without network or secrets: loading these files runs code.',
        'Publish only the safetensors file and remove the pickle files from the model folder.',
        'Re-run the gate on the new folder.'
      ],
      command:
        "python -c \"import torch, safetensors.torch as st; st.save_file(torch.load('IN.bin', weights_only=True), 'model.safetensors')\"  # in a sandbox"
    }
  ];
};

const quarantine: Builder = (_rule, report) => {
  const files = report.files.filter((f) => f.findings.some((x) => x.severity === 'critical'));
  return [
    {
      kind: 'quarantine',
      title: 'Do not load the model; quarantine it and report it',
      targets: clip(
        files.map(
          (f) =>
            `${f.path}: ${f.findings
              .filter((x) => x.severity === 'critical')
              .map((x) => x.title)
              .slice(0, 2)
              .join('; ')}`
        )
      ),
      steps: [
        'Stop any job that loads this model and delete downloaded copies from shared caches.',
        'Keep one copy, hash-identified, for the investigation.',
        'Report the findings to the vendor and to the hosting platform with the SHA-256 of each file.'
      ]
    }
  ];
};

const requestSignature: Builder = (_rule, report) => {
  const s = report.signature;
  const state = !s.present
    ? 'no signature (model.sig) ships with the model'
    : !s.verified
      ? `the signature does not verify: ${s.error ?? 'unknown reason'}`
      : `it is signed by ${s.identities.join(', ') || 'a key'}, which is not an approved identity`;
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
      kind: 'upgrade-dependency' as ActionKind,
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
    targets: clip(report.files.filter((f) => !f.complete).map((f) => f.path)),
    steps: ['Read the "analysis incomplete" findings; re-export or re-download the files and scan again.']
  }
];

const BUILDERS: Record<string, Builder> = {
  'no-unsafe-pickle': convertPickles,
  'no-critical-findings': quarantine,
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

/** For each violated (or failing) rule, the concrete actions that would make the model comply. */
export function planRemediation(report: TriageReport, evaluation: PolicyEvaluation): RemediationPlan {
  const actions: RemediationAction[] = [];
  const order = { deny: 0, warn: 1, info: 2 };
  const failing = evaluation.results
    .filter((r) => r.outcome !== 'pass')
    .sort((a, b) => order[a.severity] - order[b.severity]);
  for (const rule of failing) {
    const builder = rule.outcome === 'violation' ? BUILDERS[rule.id] : undefined;
    let built = builder ? builder(rule, report) : [];
    if (built.length === 0) built = fallback(rule);
    for (const action of built) actions.push({ ruleId: rule.id, severity: rule.severity, ...action });
  }
  return {
    model: { name: report.model.name, version: report.model.version, source: report.model.source },
    policy: evaluation.policy.name,
    outcome: evaluation.outcome,
    evaluatedAt: evaluation.evaluatedAt,
    actions
  };
}
