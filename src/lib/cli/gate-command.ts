import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BASELINE_POLICY, builtinPolicy } from '../core/policy/builtin';
import { checkPolicySet, evaluatePolicy } from '../core/policy/evaluate';
import { isInvalidPolicySet } from '../core/policy/errors';
import { parsePolicySet, type LoadedPolicySet } from '../core/policy/policy-set';
import { addPolicyResults } from '../core/policy/sarif';
import type { PolicySet } from '../core/policy/types';
import { planRemediation } from '../core/remediation/actions';
import { remediationMarkdown } from '../core/remediation/markdown';
import { terminalText } from '../core/report/escape';
import { toSarif } from '../core/report/sarif';
import { buildMlBom } from '../core/sbom/cyclonedx';
import { buildTriageReport } from '../core/triage/build';
import { timeBound } from '../node/time-bound';
import { CliError, reportCliError } from './errors';
import { parseGateArgs, type GateArgs } from './gate-args';
import { gateSummary } from './gate-output';
import { withCompletenessRule } from './gate-rules';
import {
  checkDependencies,
  checkProvenance,
  checkSignature,
  findLicense,
  openDrop,
  readManifest,
  scanDrop,
  type Signer
} from './gate-steps';
import { withHubCacheOrigins } from './hub-cache';
import { isHubTarget, openHubGate, type HubEndpoints, type HubGateInput } from './hub-inputs';
import { EXIT, type Io } from './io';
import { signerPolicy } from './signer-policy';
import type { SignerPolicy } from '../core/signing/verify-bundle';

/** No --policy: the baseline. A built-in name (safeload/baseline, safeload/strict) or a policy file. */
async function loadPolicy(path: string | undefined, io: Io): Promise<LoadedPolicySet | PolicySet | null> {
  if (!path) return BASELINE_POLICY;
  const builtin = builtinPolicy(path);
  if (builtin) return builtin;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('INPUT_UNREADABLE', `cannot read policy ${path}: ${(err as Error).message}`);
  }
  try {
    return parsePolicySet(text, path);
  } catch (err) {
    if (!isInvalidPolicySet(err)) throw err;
    for (const p of err.problems)
      io.err(terminalText(`${path}:${p.line ?? 1}:${p.column ?? 1}: ${p.path}: ${p.message}`));
    return null;
  }
}

/** Invalid expressions stop the gate before anything is scanned, each with its position. */
function reportExpressionErrors(set: PolicySet, path: string | undefined, io: Io): boolean {
  const errors = checkPolicySet(set);
  const loaded = 'expressionAt' in set ? (set as LoadedPolicySet) : null;
  for (const { id, field, error } of errors) {
    const start = loaded?.[field === 'configured' ? 'configuredAt' : 'expressionAt'][id];
    const where = start ? `${path}:${start.line}:${start.column}` : (path ?? 'builtin');
    io.err(
      terminalText(
        `${where}: rule ${id}: ${error.kind} error at expression ${error.line}:${error.column}: ${error.message}`
      )
    );
    io.err(
      error.excerpt
        .split('\n')
        .map((line) => `    ${terminalText(line)}`)
        .join('\n')
    );
  }
  return errors.length > 0;
}

function approvedSigners(set: PolicySet): Signer[] {
  const approved = Array.isArray(set.params.approvedSigners) ? set.params.approvedSigners : [];
  return approved.filter(
    (s): s is Signer =>
      typeof s === 'object' &&
      s !== null &&
      typeof (s as Signer).identity === 'string' &&
      typeof (s as Signer).issuer === 'string'
  );
}

/**
 * Whom model.sig is verified against: the key or CA chain given on the command line, or keyless identities
 * (the one given, then the policy's approved signers). The identity given is approved for this run.
 */
async function signerCandidates(
  args: GateArgs,
  set: PolicySet
): Promise<{ candidates: SignerPolicy[]; approved: Signer[] }> {
  const given = await signerPolicy(args.signer);
  if (given && given.mode !== 'keyless') return { candidates: [given], approved: approvedSigners(set) };
  const approved = [
    ...(given ? [{ identity: given.identity, issuer: given.issuer }] : []),
    ...approvedSigners(set)
  ];
  const trustRoot = given?.mode === 'keyless' ? given.trustRoot : undefined;
  return {
    candidates: approved.map((s) => ({ mode: 'keyless' as const, ...s, trustRoot })),
    approved
  };
}

export async function gateCommand(argv: string[], io: Io, endpoints?: HubEndpoints): Promise<number> {
  const args = parseGateArgs(argv);
  const loaded = await loadPolicy(args.policy, io);
  if (!loaded || reportExpressionErrors(loaded, args.policy, io)) return EXIT.usage;
  const { candidates, approved } = await signerCandidates(args, loaded);
  // The identity asked for on the command line is approved for this run; completeness is always required.
  const policy: PolicySet = withCompletenessRule(
    { ...loaded, params: { ...loaded.params, approvedSigners: approved } },
    args.allowIncomplete
  );
  let hub: HubGateInput | null = null;
  try {
    const signaturePath = args.signature ?? join(args.path, 'model.sig');
    const internal = [
      args.manifest,
      args.policy,
      args.manifestKey,
      args.signer.key,
      args.signer.chain
    ].filter((p): p is string => p !== undefined);
    // A Hub repo is read in place: its reports come from range reads, its text files from a temporary folder.
    hub = isHubTarget(args.path)
      ? await openHubGate(args.path, args.hub, io, endpoints).catch((err: Error) => {
          throw err instanceof CliError ? err : new CliError('HUB_UNREADABLE', err.message);
        })
      : null;
    const drop = hub
      ? { root: hub.root, singleFile: false, files: hub.files, walked: [], entries: [] }
      : await openDrop(args.path, internal, { maxEntries: args.maxEntries }).catch((err: Error) => {
          throw err instanceof CliError
            ? err
            : new CliError('INPUT_UNREADABLE', `${args.path}: ${err.message}`);
        });
    const committed = args.manifest ? await readManifest(args.manifest, args.manifestKey) : null;
    const manifest = committed?.manifest ?? null;
    const reports = hub
      ? hub.result.reports
      : await withHubCacheOrigins(await scanDrop(drop), (p) => drop.files.get(p), args.hub, io, endpoints);
    const dependencies = await checkDependencies(drop, { osvDb: args.osvDb, osvApi: args.osvApi });
    const triage = buildTriageReport({
      model: {
        name: args.name ?? manifest?.source.repoId ?? hub?.result.repoId ?? basename(resolve(args.path)),
        version: args.modelVersion ?? manifest?.source.resolvedCommit ?? hub?.result.commit ?? null,
        source: manifest?.source.purl ?? manifest?.source.repoId ?? hub?.result.repoId ?? null,
        vendor: args.vendor ?? (manifest?.source.repoId ?? hub?.result.repoId)?.split('/')[0] ?? null
      },
      files: reports,
      signature: hub ? hub.signature : await checkSignature(args.path, signaturePath, candidates, internal),
      provenance: committed ? checkProvenance(committed.manifest, reports, committed.signature) : null,
      dependencies,
      license: await findLicense(drop, manifest, args.license)
    });
    const evaluation = evaluatePolicy(policy, triage, undefined, { runBounded: timeBound() });
    const plan = planRemediation(triage, evaluation);
    if (args.json) io.out(JSON.stringify({ triage, evaluation, remediation: plan }, null, 2));
    else io.out(gateSummary(triage, evaluation, plan));
    if (args.report) await writeFile(args.report, remediationMarkdown(plan, triage));
    if (args.sarif) {
      const anchor = args.policy
        ? { uri: args.policy, lines: 'expressionAt' in loaded ? loaded.expressionAt : undefined }
        : { uri: reports[0]?.path ?? basename(args.path) };
      await writeFile(
        args.sarif,
        JSON.stringify(addPolicyResults(toSarif(reports), evaluation, anchor), null, 2)
      );
    }
    if (args.cyclonedx) {
      const bom = buildMlBom({
        model: {
          name: triage.model.name,
          files: reports
            .filter((r) => r.sha256)
            .map((r) => ({ path: r.path, sha256: r.sha256!, size: r.size, formats: r.formats })),
          ...(manifest?.source.repoId
            ? {
                hub: {
                  repoId: manifest.source.repoId,
                  commit: manifest.source.resolvedCommit ?? undefined,
                  facts: manifest.repo ?? undefined
                }
              }
            : {})
        },
        dependencies: dependencies.collected.dependencies,
        ...(dependencies.audit ? { audit: dependencies.audit } : {}),
        serialNumber: `urn:uuid:${crypto.randomUUID()}`,
        timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z')
      });
      await writeFile(args.cyclonedx, JSON.stringify(bom, null, 2));
    }
    return evaluation.outcome === 'pass' ? EXIT.ok : evaluation.outcome === 'fail' ? EXIT.fail : EXIT.usage;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return reportCliError(err, io, args.json);
  } finally {
    await hub?.cleanup();
  }
}
