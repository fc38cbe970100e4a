import type { AuditReport } from '../deps/audit';
import { vulnLevel, type AuditedVuln } from '../deps/merge-vulns';
import type { Dependency } from '../deps/types';
import { HUB_ORIGIN, hubUrls, isCommitSha, isValidRepoId } from '../provenance/hub-ref';
import type { RepoFacts } from '../provenance/repo-facts';
import { SAFELOAD_VERSION } from '../version';
import { huggingfacePurl, pypiPurl } from './purl';

export interface BomModelFile {
  path: string;
  sha256: string;
  size?: number;
  /** Formats Safeload recognised in the file. */
  formats?: string[];
}

export interface BomInput {
  model: {
    name: string;
    files: BomModelFile[];
    /** Hub repository facts, when the model came from (or was matched to) the Hugging Face Hub. */
    hub?: { repoId: string; commit?: string; facts?: RepoFacts };
  };
  /** Python packages, as collected from requirement and lock files. */
  dependencies?: readonly Dependency[];
  audit?: AuditReport;
  serialNumber: string;
  timestamp: string;
}

type Json = Record<string, unknown>;
const PROP = 'safeload:';

function property(name: string, value: string | number | boolean): Json {
  return { name: `${PROP}${name}`, value: String(value) };
}

function packageRef(d: Dependency): string {
  return d.version && !d.skipReason
    ? pypiPurl(d.name, d.version)
    : `unaudited:${d.name}:${d.specifier || '*'}`;
}

function packageComponent(d: Dependency): Json {
  const pinned = d.version && !d.skipReason;
  const props = [
    ...d.declaredAt.map((a) => property('declared-in', a.line ? `${a.file}:${a.line}` : a.file)),
    ...(d.marker ? [property('marker', d.marker)] : []),
    ...(d.group ? [property('group', d.group)] : []),
    ...(d.skipReason ? [property('not-audited', d.skipReason)] : [])
  ];
  const hashes = d.hashes
    .map((h) => /^sha256:([0-9a-f]{64})$/i.exec(h)?.[1])
    .filter((h): h is string => !!h)
    .slice(0, 1)
    .map((content) => ({ alg: 'SHA-256', content: content.toLowerCase() }));
  return {
    type: 'library',
    'bom-ref': packageRef(d),
    name: d.displayName,
    ...(d.version ? { version: d.version } : {}),
    purl: pinned ? pypiPurl(d.name, d.version) : pypiPurl(d.name),
    ...(hashes.length === 1 && d.hashes.length === 1 ? { hashes } : {}),
    ...(props.length ? { properties: props } : {})
  };
}

function modelCard(facts: RepoFacts): Json {
  const props = [
    ...(facts.libraryName ? [property('library', facts.libraryName)] : []),
    ...facts.tags.slice(0, 50).map((t) => property('tag', t)),
    ...(facts.gated !== null ? [property('gated', facts.gated)] : []),
    ...(facts.private !== null ? [property('private', facts.private)] : []),
    property('remote-code', facts.remoteCode.customCodeTag || facts.remoteCode.autoMap !== null)
  ];
  return {
    'bom-ref': 'model-card',
    ...(facts.pipelineTag ? { modelParameters: { task: facts.pipelineTag } } : {}),
    properties: props
  };
}

function modelComponent(input: BomInput): Json {
  const { model } = input;
  // Repo id and commit come from a manifest or the Hub: only validated ones become URLs and purls.
  const hub = model.hub && isValidRepoId(model.hub.repoId) ? model.hub : undefined;
  const commit = hub?.commit && isCommitSha(hub.commit) ? hub.commit : undefined;
  const ref = hub ? { hub: HUB_ORIGIN, repoType: 'model' as const, repoId: hub.repoId } : null;
  const repoParts = hub?.repoId.split('/') ?? [];
  const files = model.files.map((f, i) => ({
    type: 'file',
    'bom-ref': `file-${i + 1}`,
    name: f.path,
    hashes: [{ alg: 'SHA-256', content: f.sha256.toLowerCase() }],
    properties: [
      ...(f.size !== undefined ? [property('size-bytes', f.size)] : []),
      ...(f.formats?.length ? [property('formats', f.formats.join(','))] : [])
    ]
  }));
  const external = ref
    ? [
        { type: 'distribution', url: hubUrls.repo(ref) },
        ...(commit ? [{ type: 'model-card', url: hubUrls.blob(ref, commit, 'README.md') }] : [])
      ]
    : [];
  const licenses = hub?.facts?.licenses.map((name) => ({ license: { name } })) ?? [];
  const ancestors = (hub?.facts?.baseModels ?? []).map((base, i) => ({
    type: 'machine-learning-model',
    'bom-ref': `base-model-${i + 1}`,
    name: base,
    ...(isValidRepoId(base) ? { purl: huggingfacePurl(base) } : {})
  }));
  return {
    type: 'machine-learning-model',
    'bom-ref': 'model',
    ...(repoParts.length > 1 ? { group: repoParts.slice(0, -1).join('/') } : {}),
    name: hub ? repoParts.at(-1)! : model.name,
    ...(commit ? { version: commit } : {}),
    ...(hub ? { purl: huggingfacePurl(hub.repoId, commit) } : {}),
    ...(model.files.length === 1 ? { hashes: files[0].hashes } : {}),
    ...(licenses.length ? { licenses } : {}),
    ...(external.length ? { externalReferences: external } : {}),
    ...(ancestors.length ? { pedigree: { ancestors } } : {}),
    ...(hub?.facts ? { modelCard: modelCard(hub.facts) } : {}),
    ...(files.length ? { components: files } : {})
  };
}

function rating(v: AuditedVuln): Json[] {
  const s = v.severity;
  if (!s) return [{ severity: 'unknown' }];
  if (s.from === 'cvss') return [{ method: s.method, vector: s.vector, score: s.score, severity: s.level }];
  return [{ method: 'other', severity: s.level }];
}

function osvSource(id: string): Json {
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` };
}

function vulnerabilities(audit: AuditReport, refOf: Map<string, string>): Json[] {
  const byId = new Map<string, { v: AuditedVuln; affects: Json[]; fixes: string[] }>();
  for (const pkg of audit.audited) {
    const ref = refOf.get(`${pkg.name}@${pkg.version}`);
    if (!ref) continue;
    const fix = audit.fixes.find((f) => f.name === pkg.name);
    for (const v of pkg.vulns) {
      const entry = byId.get(v.id) ?? { v, affects: [], fixes: [] };
      entry.affects.push({ ref, versions: [{ version: pkg.version, status: 'affected' }] });
      if (fix && 'newVersion' in fix) entry.fixes.push(`Upgrade ${pkg.name} to ${fix.newVersion}`);
      byId.set(v.id, entry);
    }
  }
  return [...byId.values()].map(({ v, affects, fixes }) => ({
    'bom-ref': `vuln-${v.id}`,
    id: v.id,
    source: osvSource(v.id),
    ...(v.aliases.length ? { references: v.aliases.map((id) => ({ id, source: osvSource(id) })) } : {}),
    ratings: rating(v),
    ...(v.cwes.length ? { cwes: v.cwes } : {}),
    description: v.description || v.id,
    ...(fixes.length
      ? { recommendation: `${fixes.join('; ')}.` }
      : v.fixVersions.length
        ? { recommendation: `Fixed in ${v.fixVersions.join(', ')}.` }
        : {}),
    ...(v.published ? { published: v.published } : {}),
    updated: v.modified,
    properties: [property('severity', vulnLevel(v)), property('records', v.records.join(','))],
    affects
  }));
}

/**
 * A CycloneDX 1.6 ML-BOM: the model as a machine-learning-model component with a file component (SHA-256) per file,
 * Hub facts as model card basics, the Python packages as pkg:pypi libraries with their dependency graph, and the
 * vulnerabilities an audit found.
 */
export function buildMlBom(input: BomInput): Json {
  const deps = input.dependencies ?? [];
  const refOf = new Map<string, string>();
  const refByName = new Map<string, string>();
  const components: Json[] = [];
  for (const d of deps) {
    const ref = packageRef(d);
    if (components.some((c) => c['bom-ref'] === ref)) continue;
    components.push(packageComponent(d));
    if (d.version) refOf.set(`${d.name}@${d.version}`, ref);
    if (!refByName.has(d.name) || (d.version && !d.skipReason)) refByName.set(d.name, ref);
  }
  const edges = new Map<string, Set<string>>();
  for (const d of deps) {
    const targets = (d.dependsOn ?? []).map((n) => refByName.get(n)).filter((r): r is string => !!r);
    const set = edges.get(packageRef(d)) ?? new Set<string>();
    for (const t of targets) set.add(t);
    edges.set(packageRef(d), set);
  }
  const depended = new Set([...edges.values()].flatMap((s) => [...s]));
  const direct = [...new Set(deps.map(packageRef))].filter((r) => !depended.has(r));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: input.serialNumber,
    version: 1,
    metadata: {
      timestamp: input.timestamp,
      tools: { components: [{ type: 'application', name: 'safeload', version: SAFELOAD_VERSION }] },
      component: modelComponent(input)
    },
    components,
    dependencies: [
      { ref: 'model', dependsOn: direct },
      ...[...edges].map(([ref, set]) => ({ ref, dependsOn: [...set] }))
    ],
    ...(input.audit ? { vulnerabilities: vulnerabilities(input.audit, refOf) } : {})
  };
}
