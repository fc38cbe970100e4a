import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateBom } from '../../src/lib/core/sbom/validate';
import { loadOsvRecords, SCHEMA_DIR } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

const bin = join(import.meta.dirname, '../../bin/safeload.mjs');
const records = () => loadOsvRecords();

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, SAFELOAD_OSV_API: '' } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr })
    );
  });
}

describeShared('safeload audit', () => {
  let dir: string;
  let db: string;
  let server: Server;
  let api: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'safeload-audit-'));
    const model = join(dir, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'requirements.txt'), '-r base.txt\ntransformers==4.36.0\nrequests>=2\n');
    writeFileSync(join(model, 'base.txt'), 'torch==1.13.0 --hash=sha256:abc\n');
    writeFileSync(join(model, 'weights.bin'), 'model bytes');
    mkdirSync(join(dir, 'low'));
    writeFileSync(join(dir, 'low/requirements.txt'), 'transformers==4.36.0\n');
    mkdirSync(join(dir, 'clean'));
    writeFileSync(join(dir, 'clean/requirements.txt'), 'emoji==2.14.0\n');
    mkdirSync(join(dir, 'none'));
    writeFileSync(join(dir, 'none/model.safetensors'), 'x');
    db = join(dir, 'all.zip');
    writeFileSync(
      db,
      zipSync(Object.fromEntries(records().map((r) => [`${r.id}.json`, strToU8(JSON.stringify(r))])))
    );

    // osv.dev stand-in answering querybatch from the real records' version lists, and vulns/{id} with the records.
    const answers: Record<string, string[]> = {
      'torch@1.13.0': ['PYSEC-2022-43015', 'GHSA-53q9-r3pm-6pq6'],
      'transformers@4.36.0': ['GHSA-37q5-v5qm-c9v8']
    };
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/v1/querybatch') {
          const queries = JSON.parse(body).queries as { package: { name: string }; version: string }[];
          const results = queries.map((q) => {
            const ids = answers[`${q.package.name}@${q.version}`] ?? [];
            return ids.length
              ? { vulns: ids.map((id) => ({ id, modified: records().find((r) => r.id === id)!.modified })) }
              : {};
          });
          res.end(JSON.stringify({ results }));
          return;
        }
        const record = records().find((r) => `/v1/vulns/${r.id}` === req.url);
        res.statusCode = record ? 200 : 404;
        res.end(JSON.stringify(record ?? { message: 'not found' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('offline with --osv-db: text report, exit 1 on vulnerabilities', async () => {
    const { code, stdout } = await cli('audit', join(dir, 'model'), '--osv-db', db);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^torch 1\.13\.0 {2}\(base\.txt:1\)/m);
    expect(stdout).toContain('[critical 9.3] GHSA-53q9-r3pm-6pq6 (CVE-2025-32434)');
    expect(stdout).toContain('upgrade: torch==2.6.0');
    expect(stdout).toMatch(/requests \(requirements\.txt:3\): not pinned — not audited/);
    expect(stdout).toMatch(
      /2 package\(s\) audited against offline OSV database \(51 records, newest modified 2025-08-29T19:45:46Z\): 2 vulnerable/
    );
  });

  it('--json prints the pip-audit shape; --sarif and --cyclonedx write files; the BOM validates', async () => {
    const sarif = join(dir, 'out.sarif');
    const bomPath = join(dir, 'bom.json');
    const { code, stdout } = await cli(
      'audit',
      join(dir, 'model'),
      '--osv-db',
      db,
      '--json',
      '--sarif',
      sarif,
      '--cyclonedx',
      bomPath
    );
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.dependencies).toEqual([
      {
        name: 'torch',
        version: '1.13.0',
        vulns: expect.arrayContaining([
          expect.objectContaining({
            id: 'PYSEC-2022-43015',
            fix_versions: ['1.13.1'],
            aliases: ['CVE-2022-45907']
          })
        ])
      },
      {
        name: 'transformers',
        version: '4.36.0',
        vulns: [expect.objectContaining({ id: 'GHSA-37q5-v5qm-c9v8', fix_versions: ['4.38.0'] })]
      },
      { name: 'requests', skip_reason: expect.stringMatching(/^not pinned — not audited/) }
    ]);
    expect(json.fixes).toEqual([
      { name: 'torch', old_version: '1.13.0', new_version: '2.6.0' },
      { name: 'transformers', old_version: '4.36.0', new_version: '4.38.0' }
    ]);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(
      log.runs[0].results.map((r: { ruleId: string; level: string }) => `${r.ruleId}:${r.level}`)
    ).toEqual([
      'GHSA-53q9-r3pm-6pq6:error',
      'PYSEC-2022-43015:error',
      'GHSA-37q5-v5qm-c9v8:note',
      'deps/not-audited:note'
    ]);
    expect(log.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'base.txt' },
      region: { startLine: 1 }
    });
    const bom = JSON.parse(readFileSync(bomPath, 'utf8'));
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'cyclonedx-bom-1.6.schema.json'), 'utf8'));
    expect(validateBom(bom, schema)).toEqual({ valid: true, errors: [] });
    expect(bom.metadata.component.components).toEqual([
      expect.objectContaining({
        name: 'weights.bin',
        hashes: [{ alg: 'SHA-256', content: createHash('sha256').update('model bytes').digest('hex') }]
      })
    ]);
  });

  it('--fail-on decides the exit code', async () => {
    expect((await cli('audit', join(dir, 'low'), '--osv-db', db)).code).toBe(1);
    expect((await cli('audit', join(dir, 'low'), '--osv-db', db, '--fail-on', 'medium')).code).toBe(0);
    expect((await cli('audit', join(dir, 'clean'), '--osv-db', db)).code).toBe(0);
  });

  it('online through --osv-api gives the same findings', async () => {
    const { code, stdout } = await cli('audit', join(dir, 'model'), '--osv-api', api, '--json');
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.dependencies[0].vulns.map((v: { id: string }) => v.id)).toEqual([
      'GHSA-53q9-r3pm-6pq6',
      'PYSEC-2022-43015'
    ]);
    expect(json.fixes[0]).toEqual({ name: 'torch', old_version: '1.13.0', new_version: '2.6.0' });
  });

  it('exits 2 on usage errors, missing inputs, unusable databases and unreachable services', async () => {
    expect((await cli('audit')).code).toBe(2);
    expect((await cli('audit', join(dir, 'model'), '--fail-on', 'severe')).code).toBe(2);
    expect((await cli('audit', join(dir, 'does-not-exist'))).code).toBe(2);
    const none = await cli('audit', join(dir, 'none'), '--osv-db', db);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/nothing audited/);
    const notZip = await cli('audit', join(dir, 'clean'), '--osv-db', join(dir, 'clean/requirements.txt'));
    expect(notZip.code).toBe(2);
    expect(notZip.stderr).toMatch(/not a usable OSV database/);
    const down = await cli('audit', join(dir, 'clean'), '--osv-api', 'http://127.0.0.1:1');
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/vulnerability lookup failed: could not reach/);
  });
});
