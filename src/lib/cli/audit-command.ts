import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { auditDependencies, type AuditReport } from '../core/deps/audit';
import { collectDependencies } from '../core/deps/collect';
import { vulnLevel } from '../core/deps/merge-vulns';
import { inputKindOf } from '../core/deps/names';
import { MemoryOsvCache, OSV_API, OsvClient } from '../core/deps/osv-client';
import { MemoryOsvIndexStore, OfflineOsvSource, type OsvDatabaseInfo } from '../core/deps/osv-database';
import { indexOsvDatabase } from '../core/deps/osv-zip';
import { toPipAuditJson } from '../core/deps/report-pip-audit';
import { auditToSarif } from '../core/deps/report-sarif';
import type { VulnSource } from '../core/deps/source';
import { isSeverity, severityRank, type Severity } from '../core/findings';
import { digestSource } from '../core/hash/multi-digest';
import { isHubBookkeeping } from '../core/provenance/match';
import { buildMlBom, type BomModelFile } from '../core/sbom/cyclonedx';
import { openFileSource } from '../node/file-source';
import { walkPaths } from '../node/walk';
import { parseCommandLine } from './args';
import { CliError, UsageError } from './errors';
import { describeAudit } from './audit-text';
import { EXIT, type Io } from './io';

interface AuditArgs {
  path: string;
  osvDb?: string;
  osvApi: string;
  json: boolean;
  sarif?: string;
  cyclonedx?: string;
  failOn: Severity;
}

const MAX_INPUT_BYTES = 16 * 1024 * 1024;

function parseAuditArgs(argv: string[]): AuditArgs {
  const parsed = parseCommandLine(argv, {
    'osv-db': { type: 'string' },
    'osv-api': { type: 'string' },
    json: { type: 'boolean', default: false },
    sarif: { type: 'string' },
    cyclonedx: { type: 'string' },
    'fail-on': { type: 'string', default: 'low' }
  });
  const v = parsed.values;
  const failOn = v['fail-on'];
  if (!isSeverity(failOn)) throw new UsageError('--fail-on must be one of info, low, medium, high, critical');
  if (parsed.positionals.length !== 1) throw new UsageError('audit needs exactly one file or folder');
  if (v['osv-db'] && v['osv-api'])
    throw new UsageError('--osv-db (offline) and --osv-api (online) exclude each other');
  const api = v['osv-api'] || process.env.SAFELOAD_OSV_API || OSV_API;
  if (!/^https?:\/\//.test(api)) throw new UsageError('--osv-api must be an http(s) URL');
  return {
    path: parsed.positionals[0],
    osvDb: v['osv-db'],
    osvApi: api,
    json: v.json,
    sarif: v.sarif,
    cyclonedx: v.cyclonedx,
    failOn
  };
}

/** Files under the root, by path relative to it; reads refuse anything outside it or too large. */
async function dropOf(path: string) {
  const info = await stat(path);
  const root = info.isDirectory() ? resolve(path) : dirname(resolve(path));
  const { files } = await walkPaths([root]);
  const rel = (fsPath: string) => relative(root, fsPath).split(sep).join('/');
  const all = files.map((f) => rel(f.fsPath));
  const listed = info.isDirectory() ? all : [basename(path)];
  const read = async (p: string): Promise<string | null> => {
    const full = resolve(root, p);
    if (!full.startsWith(root + sep) || !all.includes(p)) return null;
    const size = (await stat(full)).size;
    if (size > MAX_INPUT_BYTES) return null;
    return readFile(full, 'utf8');
  };
  return { root, listed, read };
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) yield chunk as Uint8Array;
}

async function hashModelFiles(root: string, paths: string[]): Promise<BomModelFile[]> {
  const out: BomModelFile[] = [];
  for (const p of paths) {
    const { source, close } = await openFileSource(join(root, p), p);
    try {
      out.push({ path: p, sha256: (await digestSource(source)).sha256, size: source.size });
    } finally {
      await close();
    }
  }
  return out;
}

function failing(report: AuditReport, failOn: Severity): number {
  return report.audited.reduce(
    (n, p) => n + p.vulns.filter((v) => severityRank(vulnLevel(v)) >= severityRank(failOn)).length,
    0
  );
}

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const args = parseAuditArgs(argv);
  let drop;
  try {
    drop = await dropOf(args.path);
  } catch (err) {
    throw new CliError('INPUT_UNREADABLE', `${args.path}: ${(err as Error).message}`);
  }
  const collected = await collectDependencies(drop.listed, drop.read);
  if (collected.inputs.length === 0) {
    throw new CliError(
      'NOTHING_TO_AUDIT',
      `no requirements*.txt, pyproject.toml or lock file (poetry.lock, Pipfile.lock, uv.lock, pylock.toml) in ${args.path}; nothing audited`
    );
  }
  let source: VulnSource;
  let db: OsvDatabaseInfo | null = null;
  try {
    if (args.osvDb) {
      const store = new MemoryOsvIndexStore();
      const wanted = new Set(collected.dependencies.map((d) => d.name));
      db = await indexOsvDatabase(fileChunks(args.osvDb), store, { only: wanted });
      if (db.records === 0)
        throw new CliError(
          'VULNERABILITY_LOOKUP',
          `${args.osvDb}: not a usable OSV database (${db.incomplete.join('; ') || 'no records'})`
        );
      source = new OfflineOsvSource(store);
    } else {
      source = new OsvClient({ fetch: globalThis.fetch, baseUrl: args.osvApi, cache: new MemoryOsvCache() });
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('VULNERABILITY_LOOKUP', `${args.osvDb}: ${(err as Error).message}`);
  }
  let report: AuditReport;
  try {
    report = await auditDependencies(collected.dependencies, source);
  } catch (err) {
    throw new CliError('VULNERABILITY_LOOKUP', `vulnerability lookup failed: ${(err as Error).message}`);
  }
  if (args.json) io.out(JSON.stringify(toPipAuditJson(report), null, 2));
  else io.out(describeAudit(report, collected.problems, db));
  if (args.sarif) await writeFile(args.sarif, JSON.stringify(auditToSarif(report), null, 2));
  if (args.cyclonedx) {
    const inputs = new Set(collected.files);
    const modelPaths = drop.listed.filter((p) => !inputs.has(p) && !inputKindOf(p) && !isHubBookkeeping(p));
    const bom = buildMlBom({
      model: { name: basename(resolve(args.path)), files: await hashModelFiles(drop.root, modelPaths) },
      dependencies: collected.dependencies,
      audit: report,
      serialNumber: `urn:uuid:${crypto.randomUUID()}`,
      timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    });
    await writeFile(args.cyclonedx, JSON.stringify(bom, null, 2));
  }
  const count = failing(report, args.failOn);
  if (count > 0) return EXIT.fail;
  if (db && db.incomplete.length > 0) {
    io.err(
      `safeload: the OSV database was not fully read (${db.incomplete.join('; ')}); a clean result cannot be trusted`
    );
    return EXIT.usage;
  }
  return EXIT.ok;
}
