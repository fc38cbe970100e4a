import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditDependencies } from '../../src/lib/core/deps/audit';
import { lockedDependency } from '../../src/lib/core/deps/dependency';
import { DepsError } from '../../src/lib/core/deps/errors';
import { MemoryOsvCache, OsvClient } from '../../src/lib/core/deps/osv-client';
import { toPipAuditJson } from '../../src/lib/core/deps/report-pip-audit';
import { osvRecord } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

/** What osv.dev answers for these package versions (ids from the real records), torch split over two pages. */
const ANSWERS: Record<string, string[][]> = {
  'torch@1.13.0': [['PYSEC-2022-43015'], ['GHSA-53q9-r3pm-6pq6']],
  'transformers@4.36.0': [['GHSA-37q5-v5qm-c9v8']],
  'torch@2.6.0': [[]],
  'transformers@4.38.0': [[]],
  'emoji@2.14.0': [[]]
};

describeShared('OSV online client (real fetch against a local server serving real records)', () => {
  let server: Server;
  let base: string;
  const log: { method: string; path: string; body?: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const parsed = body ? JSON.parse(body) : undefined;
        log.push({ method: req.method!, path: req.url!, body: parsed });
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && req.url === '/v1/querybatch') {
          const results = parsed.queries.map(
            (q: { package: { name: string; ecosystem: string }; version: string; page_token?: string }) => {
              expect(q.package.ecosystem).toBe('PyPI');
              const pages = ANSWERS[`${q.package.name}@${q.version}`] ?? [[]];
              const page = q.page_token ? Number(q.page_token.slice(5)) : 0;
              const ids = pages[page] ?? [];
              return {
                ...(ids.length ? { vulns: ids.map((id) => ({ id, modified: osvRecord(id).modified })) } : {}),
                ...(page + 1 < pages.length ? { next_page_token: `page-${page + 1}` } : {})
              };
            }
          );
          res.end(JSON.stringify({ results }));
          return;
        }
        const m = /^\/v1\/vulns\/([^/]+)$/.exec(req.url ?? '');
        if (req.method === 'GET' && m) {
          try {
            res.end(JSON.stringify(osvRecord(decodeURIComponent(m[1]))));
          } catch {
            res.statusCode = 404;
            res.end(JSON.stringify({ code: 5, message: 'Bug not found.' }));
          }
          return;
        }
        res.statusCode = 404;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('follows pagination, fetches each record once, then serves them from the cache', async () => {
    log.length = 0;
    const cache = new MemoryOsvCache();
    const client = new OsvClient({ fetch: globalThis.fetch, baseUrl: base, cache });
    const deps = [
      lockedDependency('torch', '1.13.0', { file: 'r.txt' }),
      lockedDependency('transformers', '4.36.0', { file: 'r.txt' }),
      lockedDependency('emoji', '2.14.0', { file: 'r.txt' })
    ];
    const report = await auditDependencies(deps, client);
    expect(report.source).toBe('online');
    expect(report.audited.map((p) => [p.name, p.vulns.map((v) => v.id)])).toEqual([
      ['torch', ['GHSA-53q9-r3pm-6pq6', 'PYSEC-2022-43015']],
      ['transformers', ['GHSA-37q5-v5qm-c9v8']],
      ['emoji', []]
    ]);
    // page 2 re-sends only the query that had a token
    const batches = log.filter((l) => l.path === '/v1/querybatch');
    expect((batches[1].body as { queries: unknown[] }).queries).toEqual([
      { package: { name: 'torch', ecosystem: 'PyPI' }, version: '1.13.0', page_token: 'page-1' }
    ]);
    expect(
      log
        .filter((l) => l.method === 'GET')
        .map((l) => l.path)
        .sort()
    ).toEqual([
      '/v1/vulns/GHSA-37q5-v5qm-c9v8',
      '/v1/vulns/GHSA-53q9-r3pm-6pq6',
      '/v1/vulns/PYSEC-2022-43015'
    ]);
    // fix resolution queried the candidate versions
    expect(report.fixes).toEqual([
      { name: 'torch', oldVersion: '1.13.0', newVersion: '2.6.0' },
      { name: 'transformers', oldVersion: '4.36.0', newVersion: '4.38.0' }
    ]);
    const json = toPipAuditJson(report);
    expect(json.dependencies[0]).toMatchObject({
      name: 'torch',
      version: '1.13.0',
      vulns: [
        { id: 'GHSA-53q9-r3pm-6pq6', fix_versions: ['2.6.0'], aliases: ['CVE-2025-32434'] },
        { id: 'PYSEC-2022-43015', fix_versions: ['1.13.1'] }
      ]
    });

    log.length = 0;
    await auditDependencies(deps, new OsvClient({ fetch: globalThis.fetch, baseUrl: base, cache }));
    expect(log.filter((l) => l.method === 'GET')).toEqual([]);
  });

  it('turns HTTP errors and unreachable hosts into DepsError OSV_API', async () => {
    const client = new OsvClient({ fetch: globalThis.fetch, baseUrl: base });
    const missing = client.fetchRecords(new Map([['GHSA-xxxx-xxxx-xxxx', '']]));
    await expect(missing).rejects.toThrow(/HTTP 404/);
    await expect(missing).rejects.toMatchObject({ name: 'DepsError', code: 'OSV_API', status: 404 });
    const down = new OsvClient({ fetch: globalThis.fetch, baseUrl: 'http://127.0.0.1:1' });
    const unreachable = down.lookup([{ name: 'torch', version: '1.0' }]);
    await expect(unreachable).rejects.toBeInstanceOf(DepsError);
    await expect(unreachable).rejects.toMatchObject({ code: 'OSV_API', status: undefined });
  });

  it('refuses oversized responses', async () => {
    const client = new OsvClient({ fetch: globalThis.fetch, baseUrl: base, maxResponseBytes: 100 });
    await expect(client.lookup([{ name: 'torch', version: '1.13.0' }])).rejects.toThrow(
      /bytes exceeds 100|exceeds 100 bytes/
    );
  });
});
