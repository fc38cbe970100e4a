import {
  MANIFEST_CANONICALIZATION,
  MANIFEST_SCHEMA,
  MANIFEST_SCHEMA_VERSION,
  manifestDigest,
  type Manifest
} from './manifest';
import { ManifestError } from './errors';
import { HUB_ORIGIN, isValidRepoId, isValidRevision, purlFor, type RepoType } from './hub-ref';
import { isSafeRepoPath } from './remote-file';

export const MAX_MANIFEST_FILES = 200_000;
const STATUSES = new Set([
  'verified',
  'mismatch',
  'missing',
  'extra',
  'pending',
  'unverifiable',
  'not-checked'
]);
const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new ManifestError('MANIFEST_INVALID', `Not a valid Safeload manifest: ${where} ${what}.`);
}

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'must be an object');
  return v as Obj;
}

function string(v: unknown, where: string, max = 2000): string {
  if (typeof v !== 'string' || v.length > max) fail(where, `must be a string of at most ${max} characters`);
  return v;
}

function nullableString(v: unknown, where: string, max = 2000): void {
  if (v !== null) string(v, where, max);
}

function hexOrNull(v: unknown, re: RegExp, where: string): void {
  if (v !== null && (typeof v !== 'string' || !re.test(v)))
    fail(where, `must be null or ${re === HEX40 ? 40 : 64} lowercase hex digits`);
}

function size(v: unknown, where: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(where, 'must be a non-negative integer');
}

function checkFile(f: unknown, i: number, seen: Set<string>): void {
  const where = `files[${i}]`;
  const o = obj(f, where);
  const path = string(o.path, `${where}.path`, 4096);
  if (!isSafeRepoPath(path))
    fail(`${where}.path`, 'must be a relative path without "..", "." or empty segments');
  if (seen.has(path)) fail(`${where}.path`, `repeats ${path}`);
  seen.add(path);
  size(o.size, `${where}.size`);
  hexOrNull(o.sha256, HEX64, `${where}.sha256`);
  hexOrNull(o.gitBlobSha1, HEX40, `${where}.gitBlobSha1`);
  if (![null, 'hub-lfs', 'local'].includes(o.sha256Source as string))
    fail(`${where}.sha256Source`, 'is unknown');
  if (![null, 'content', 'lfs-pointer'].includes(o.gitBlobOf as string))
    fail(`${where}.gitBlobOf`, 'is unknown');
  if (typeof o.lfs !== 'boolean') fail(`${where}.lfs`, 'must be a boolean');
  if (o.xetHash !== undefined && (typeof o.xetHash !== 'string' || !HEX64.test(o.xetHash)))
    fail(`${where}.xetHash`, 'must be 64 hex digits');
  if (!STATUSES.has(o.status as string)) fail(`${where}.status`, 'is unknown');
  if (o.securityStatus !== undefined) string(o.securityStatus, `${where}.securityStatus`, 40);
  if (o.lastCommit !== undefined) {
    const lc = obj(o.lastCommit, `${where}.lastCommit`);
    string(lc.id, `${where}.lastCommit.id`, 64);
    string(lc.title, `${where}.lastCommit.title`, 500);
    string(lc.date, `${where}.lastCommit.date`, 40);
  }
}

function stringList(v: unknown, where: string, maxItems: number, maxChars = 200): void {
  if (!Array.isArray(v) || v.length > maxItems) fail(where, `must be a list of at most ${maxItems} entries`);
  v.forEach((x, i) => string(x, `${where}[${i}]`, maxChars));
}

function nullableBool(v: unknown, where: string): void {
  if (v !== null && typeof v !== 'boolean') fail(where, 'must be null or a boolean');
}

/** The Hub facts a manifest carries are shown and exported (CycloneDX, licence): every field is checked. */
function checkRepoFacts(v: unknown): void {
  const r = obj(v, 'repo');
  if (!isValidRepoId(r.repoId)) fail('repo.repoId', 'must be a Hub repo id (namespace/name)');
  nullableBool(r.private, 'repo.private');
  nullableBool(r.disabled, 'repo.disabled');
  if (![null, false, 'auto', 'manual'].includes(r.gated as string)) fail('repo.gated', 'is unknown');
  stringList(r.licenses, 'repo.licenses', 20);
  nullableString(r.libraryName, 'repo.libraryName', 200);
  nullableString(r.pipelineTag, 'repo.pipelineTag', 200);
  stringList(r.tags, 'repo.tags', 500);
  stringList(r.baseModels, 'repo.baseModels', 50);
  const code = obj(r.remoteCode, 'repo.remoteCode');
  if (typeof code.customCodeTag !== 'boolean') fail('repo.remoteCode.customCodeTag', 'must be a boolean');
  if (code.autoMap !== null) {
    const map = obj(code.autoMap, 'repo.remoteCode.autoMap');
    if (Object.keys(map).length > 100) fail('repo.remoteCode.autoMap', 'has more than 100 entries');
    for (const [k, x] of Object.entries(map)) string(x, `repo.remoteCode.autoMap.${k.slice(0, 100)}`, 300);
  }
  nullableString(code.customClass, 'repo.remoteCode.customClass', 200);
  if (r.securityScan !== null) {
    const scan = obj(r.securityScan, 'repo.securityScan');
    nullableBool(scan.scansDone, 'repo.securityScan.scansDone');
    if (!Array.isArray(scan.filesWithIssues) || scan.filesWithIssues.length > 1000)
      fail('repo.securityScan.filesWithIssues', 'must be a list of at most 1000 entries');
    scan.filesWithIssues.forEach((f, i) => {
      const issue = obj(f, `repo.securityScan.filesWithIssues[${i}]`);
      string(issue.path, `repo.securityScan.filesWithIssues[${i}].path`, 1000);
      string(issue.level, `repo.securityScan.filesWithIssues[${i}].level`, 40);
    });
  }
  nullableString(r.lastModified, 'repo.lastModified', 40);
  nullableString(r.createdAt, 'repo.createdAt', 40);
}

function checkLastCommit(v: unknown): void {
  const c = obj(v, 'lastCommit');
  string(c.id, 'lastCommit.id', 64);
  string(c.title, 'lastCommit.title', 500);
  string(c.date, 'lastCommit.date', 40);
  stringList(c.authors, 'lastCommit.authors', 100);
}

/** Repo id, revision, purl and API URLs name what a later "Compare with the Hub" or command line asks for. */
function checkSource(source: Obj): void {
  if (source.kind !== 'hub' && source.kind !== 'local-metadata') fail('source.kind', 'is unknown');
  if (source.hub !== HUB_ORIGIN) fail('source.hub', `must be ${HUB_ORIGIN}`);
  if (!['model', 'dataset', 'space'].includes(source.repoType as string))
    fail('source.repoType', 'is unknown');
  if (source.repoId !== null && !isValidRepoId(source.repoId))
    fail('source.repoId', 'must be null or a Hub repo id (namespace/name: letters, digits, "_", "-", ".")');
  if (source.requestedRevision !== null && !isValidRevision(source.requestedRevision))
    fail('source.requestedRevision', 'must be null or a branch, tag, commit or refs/pr/N');
  hexOrNull(source.resolvedCommit, HEX40, 'source.resolvedCommit');
  if (source.purl !== null) {
    const expected =
      typeof source.repoId === 'string' && typeof source.resolvedCommit === 'string'
        ? purlFor({ repoType: source.repoType as RepoType, repoId: source.repoId }, source.resolvedCommit)
        : null;
    if (source.purl !== expected) fail('source.purl', 'must be null or the purl of the repo id and commit');
  }
  if (!Array.isArray(source.endpoints) || source.endpoints.length > 10_000)
    fail('source.endpoints', 'must be a list');
  source.endpoints.forEach((e, i) => {
    const call = obj(e, `source.endpoints[${i}]`);
    const url = string(call.url, `source.endpoints[${i}].url`, 4000);
    if (!url.startsWith(`${HUB_ORIGIN}/`) || /[\s\u0000-\u001f\u007f]/.test(url))
      fail(`source.endpoints[${i}].url`, `must be a ${HUB_ORIGIN} address`);
    size(call.status, `source.endpoints[${i}].status`);
  });
}

/**
 * Checks every field a re-verification relies on (shape, hex digests, safe paths, bounded counts) and that
 * `digest.value` matches the canonical form, then returns the manifest typed. Throws ManifestError otherwise.
 * The digest detects corruption or editing, not who made the manifest (it is unsigned).
 */
export async function parseManifest(value: unknown, maxFiles = MAX_MANIFEST_FILES): Promise<Manifest> {
  const m = obj(value, 'the document');
  if (m.schema !== MANIFEST_SCHEMA) fail('schema', `must be "${MANIFEST_SCHEMA}"`);
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION)
    fail(
      'schemaVersion',
      `${JSON.stringify(m.schemaVersion)} is not supported (this version reads ${MANIFEST_SCHEMA_VERSION})`
    );
  const tool = obj(m.tool, 'tool');
  string(tool.name, 'tool.name', 100);
  string(tool.version, 'tool.version', 100);
  checkSource(obj(m.source, 'source'));
  string(m.capturedAt, 'capturedAt', 40);
  nullableString(m.downloadedAt, 'downloadedAt', 40);
  if (typeof m.authenticated !== 'boolean') fail('authenticated', 'must be a boolean');
  if (m.lastCommit !== null) checkLastCommit(m.lastCommit);
  if (m.repo !== null) checkRepoFacts(m.repo);
  if (!Array.isArray(m.files)) fail('files', 'must be a list');
  if (m.files.length > maxFiles) fail('files', `has more than ${maxFiles} entries`);
  const seen = new Set<string>();
  m.files.forEach((f, i) => checkFile(f, i, seen));
  if (!Array.isArray(m.extraLocalFiles) || m.extraLocalFiles.length > maxFiles)
    fail('extraLocalFiles', `must be a list of at most ${maxFiles} paths`);
  const extra = new Set<string>();
  m.extraLocalFiles.forEach((p, i) => {
    if (typeof p !== 'string' || !isSafeRepoPath(p))
      fail(`extraLocalFiles[${i}]`, 'must be a relative path without "..", "." or empty segments');
    if (extra.has(p) || seen.has(p)) fail(`extraLocalFiles[${i}]`, `repeats ${p}`);
    extra.add(p);
  });
  const digest = obj(m.digest, 'digest');
  if (digest.algorithm !== 'sha256' || digest.canonicalization !== MANIFEST_CANONICALIZATION)
    fail('digest', 'uses an unknown algorithm or canonicalization');
  if (typeof digest.value !== 'string' || !HEX64.test(digest.value))
    fail('digest.value', 'must be 64 hex digits');
  const actual = await manifestDigest(m as unknown as Manifest);
  if (actual !== digest.value)
    throw new ManifestError(
      'MANIFEST_ALTERED',
      `The manifest was altered or corrupted: its content hashes to ${actual.slice(0, 12)}…, not the recorded ${digest.value.slice(0, 12)}….`
    );
  return m as unknown as Manifest;
}
