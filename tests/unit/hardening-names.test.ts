import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { STRICT_POLICY } from '../../src/lib/core/policy/builtin';
import { evaluatePolicy } from '../../src/lib/core/policy/evaluate';
import { HubRefError, ManifestError } from '../../src/lib/core/provenance/errors';
import { hubUrls, isValidRepoId, isValidRevision, parseHubRef } from '../../src/lib/core/provenance/hub-ref';
import { sealManifest, type Manifest } from '../../src/lib/core/provenance/manifest';
import { parseManifest } from '../../src/lib/core/provenance/manifest-parse';
import { planRemediation } from '../../src/lib/core/remediation/actions';
import { remediationIssue, remediationMarkdown } from '../../src/lib/core/remediation/markdown';
import {
  markdownCode,
  markdownFence,
  markdownText,
  shellQuote,
  terminalText
} from '../../src/lib/core/report/escape';
import { buildMlBom } from '../../src/lib/core/sbom/cyclonedx';
import { buildTriageReport } from '../../src/lib/core/triage/build';
import { cli } from './cli-run';
import { manifestOf, scanFiles } from './policy-fixtures';

const run = promisify(execFile);

/** Runs a POSIX shell word list through `sh` and returns the words it received (no command runs). */
async function shellWords(command: string): Promise<string[]> {
  const { stdout } = await run('/bin/sh', ['-c', `set -- ${command}; printf '%s\\0' "$@"`]);
  return stdout.split('\0').slice(0, -1);
}

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const HOSTILE_ID = 'acme/model $(touch /tmp/safeload-pwned) #';

let dir: string;
let benign: Manifest;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'safeload-names-'));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'config.json'), '{"a": 1}\n');
  const reports = await scanFiles([['config.json', join(dir, 'model', 'config.json')]]);
  benign = await manifestOf(reports);
});

/** The benign manifest with a changed source, re-sealed so only the validation can catch it. */
async function withSource(patch: Record<string, unknown>, repo?: unknown): Promise<Manifest> {
  const { digest: _d, ...body } = benign;
  return sealManifest({
    ...body,
    source: { ...body.source, ...patch },
    ...(repo !== undefined ? { repo: repo as Manifest['repo'] } : {})
  });
}

describe('repo ids and revisions follow the Hub grammar wherever they are parsed', () => {
  it.each([
    ['gpt2', true],
    ['openai-community/gpt2', true],
    ['_org/name_', true],
    ['Foo-BAR_foo.bar123', true],
    ['a'.repeat(96), true],
    ['a'.repeat(97), false],
    ['acme/model.git', false],
    ['acme/../../api/whoami-v2', false],
    ['acme/mo--del', false],
    ['.repo', false],
    ['acme/model ', false],
    ['acme/mødel', false],
    [HOSTILE_ID, false],
    ['a/b/c', false]
  ])('repo id %j → %s', (id, ok) => {
    expect(isValidRepoId(id)).toBe(ok);
  });

  it.each([
    ['main', true],
    ['v1.0', true],
    ['refs/pr/12', true],
    ['feature/x', true],
    ['$(id)', true], // git allows it: commands quote it
    ['main..other', false],
    ['a@{1}', false],
    ['x.lock', false],
    ['.hidden', false],
    ['a//b', false],
    ['tag:x', false],
    ['ma\u202ein', false],
    ['main\n', false],
    ['a b', false]
  ])('revision %j → %s', (rev, ok) => {
    expect(isValidRevision(rev)).toBe(ok);
  });

  it('refuses a manifest whose repo id, revision, purl or Hub facts are not what the Hub could have said', async () => {
    await expect(parseManifest(await withSource({ repoId: HOSTILE_ID }))).rejects.toThrow(/source\.repoId/);
    await expect(parseManifest(await withSource({ repoId: 'acme/../../api/whoami-v2' }))).rejects.toThrow(
      ManifestError
    );
    await expect(parseManifest(await withSource({ requestedRevision: 'main\r\n~~~' }))).rejects.toThrow(
      /requestedRevision/
    );
    await expect(
      parseManifest(await withSource({ purl: 'pkg:huggingface/other/model@' + COMMIT }))
    ).rejects.toThrow(/purl/);
    await expect(
      parseManifest(await withSource({ endpoints: [{ url: 'https://evil.example/x', status: 200 }] }))
    ).rejects.toThrow(/endpoints/);
    await expect(
      parseManifest(await withSource({}, { ...benign.repo, licenses: 'apache-2.0' }))
    ).rejects.toThrow(/repo\.licenses/);
    await expect(parseManifest(benign)).resolves.toBeTruthy();
  });

  it('never builds a Hub URL from a repo id or path that would leave the repo', () => {
    const ref = { hub: 'https://huggingface.co', repoType: 'model' as const };
    expect(() => hubUrls.api({ ...ref, repoId: 'acme/../../api/whoami-v2' })).toThrow(HubRefError);
    expect(() => hubUrls.tree({ ...ref, repoId: 'acme/model' }, '../../x')).toThrow(HubRefError);
    expect(() => hubUrls.resolve({ ...ref, repoId: 'acme/model' }, 'main', 'a/../../../x')).toThrow(
      HubRefError
    );
    expect(hubUrls.api({ ...ref, repoId: 'acme/model' })).toBe(
      'https://huggingface.co/api/models/acme/model'
    );
    expect(hubUrls.tree({ ...ref, repoId: 'acme/model' }, 'refs/pr/1')).toBe(
      'https://huggingface.co/acme/model/tree/refs%2Fpr%2F1'
    );
    expect(() => parseHubRef('https://huggingface.co/acme/model/tree/a@{1}')).toThrow(HubRefError);
  });

  it('builds CycloneDX references only from a valid repo id and commit', () => {
    const bom = buildMlBom({
      model: { name: 'x', files: [], hub: { repoId: 'acme/../../evil', commit: 'main;x' } },
      serialNumber: 'urn:uuid:00000000-0000-4000-8000-000000000000',
      timestamp: '2026-01-01T00:00:00Z'
    });
    expect(JSON.stringify(bom)).not.toContain('evil');
  });
});

describe('suggested shell commands', () => {
  it('quotes each value as one shell word', async () => {
    for (const value of ["a'b", '$(id)', '`id`', 'a b', "'; rm -rf / #", 'x\ny', '=cmd', '']) {
      expect(await shellWords(shellQuote(value))).toEqual([value]);
    }
    expect(shellQuote('acme/model')).toBe('acme/model');
  });

  it('never suggests a command built from an unvalidated repo id or commit (the remediation plan)', async () => {
    const triage = buildTriageReport({ model: { name: 'm' }, files: [] });
    const hostile = {
      ...triage,
      provenance: {
        ...triage.provenance,
        present: true,
        pinned: false,
        repoId: HOSTILE_ID,
        commit: '$(touch /tmp/x)'
      }
    };
    const plan = planRemediation(hostile, evaluatePolicy(STRICT_POLICY, hostile));
    const pin = plan.actions.find((a) => a.kind === 'pin-commit');
    expect(pin).toBeTruthy();
    expect(pin!.command).toBeUndefined();
    const good = {
      ...hostile,
      provenance: { ...hostile.provenance, repoId: 'acme/model', commit: COMMIT }
    };
    const command = planRemediation(good, evaluatePolicy(STRICT_POLICY, good)).actions.find(
      (a) => a.kind === 'pin-commit'
    )!.command!;
    expect((await shellWords(command)).slice(0, 5)).toEqual([
      'huggingface-cli',
      'download',
      'acme/model',
      '--revision',
      COMMIT
    ]);
  });

  it('gate --report refuses a manifest with a hostile repo id instead of writing its command', async () => {
    writeFileSync(join(dir, 'hostile.json'), JSON.stringify(await withSource({ repoId: HOSTILE_ID })));
    const r = await cli(
      'gate',
      join(dir, 'model'),
      '--manifest',
      join(dir, 'hostile.json'),
      '--report',
      join(dir, 'report.md')
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/source\.repoId/);
  });
});

describe('escaping attacker text in terminal and Markdown output', () => {
  it('makes control characters, ANSI escapes and bidi overrides visible', () => {
    expect(terminalText('a\nCLEAN\r\u001b[2K\u001b]0;title\u0007b\u202ec\u009b')).toBe(
      'a\\nCLEAN\\r\\u001b[2K\\u001b]0;title\\u0007b\\u202ec\\u009b'
    );
    expect(terminalText('naïve 模型.bin')).toBe('naïve 模型.bin');
  });

  it('keeps inline Markdown inline: a lone \\r, ~~~, backticks, pipes and entities stay text', () => {
    const hostile = 'x\r~~~\n# Title | cell &#x202e; <img src=x> [a](b)';
    const text = markdownText(hostile);
    expect(text).not.toMatch(/[\r\n]/);
    expect(text).not.toMatch(/(^|[^\\])[~|<&#[]/);
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('1. item')).toBe('1\\. item');
    expect(markdownCode('a``b')).toBe('```a``b```');
    expect(markdownFence('echo ```\rx', 'sh')).toBe('````sh\necho ```\\rx\n````');
  });

  it('a remediation report stays one report when names carry line breaks and fences', () => {
    const triage = buildTriageReport({
      model: { name: 'evil\r~~~\nname', version: '1\r```' },
      files: [
        {
          path: 'a\r~~~.pkl',
          size: 1,
          sha256: null,
          gitSha1: null,
          formats: ['pickle'],
          verdict: 'critical',
          complete: true,
          findings: [
            {
              ruleId: 'pickle.dangerous-import',
              severity: 'critical',
              title: 'x\r```',
              message: 'm',
              location: { path: [] },
              evidence: {}
            }
          ],
          facts: {}
        } as never
      ]
    });
    const evaluation = evaluatePolicy(STRICT_POLICY, triage);
    const plan = planRemediation(triage, evaluation);
    const md = remediationMarkdown(plan, triage);
    // Only the report's own fences open code blocks, and each one is closed by the same fence.
    const fences = md.split(/\r\n|\r|\n/).filter((l) => /^\s*(```|~~~)/.test(l));
    expect(fences.every((l) => /^(`{3,})(sh)?$/.test(l))).toBe(true);
    expect(fences.length % 2).toBe(0);
    const issue = remediationIssue(plan);
    expect(issue.title).not.toMatch(/[\r\n]/);
    expect(issue.body.split('\n').every((l) => !/^\s*(```|~~~)/.test(l))).toBe(true);
  });

  it('scan prints a file named with a newline and ANSI escapes on one escaped line', async () => {
    const forged = join(dir, 'scan');
    mkdirSync(forged);
    const name = 'w.pkl\nCLEAN    forged.bin  (pickle)\u001b[2K\u001b]0;owned\u0007\u202egnp.pkl';
    writeFileSync(join(forged, name), Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.", 'latin1'));
    const r = await cli('scan', forged);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u202e\r]/);
    expect(r.stdout).not.toMatch(/^CLEAN/m);
    expect(r.stdout.split('\n')[0]).toMatch(/^CRITICAL .*w\.pkl\\nCLEAN {4}forged\.bin/);
  });

  it('gate --report escapes names in the Markdown report', async () => {
    const model = join(dir, 'gate-model');
    mkdirSync(model);
    writeFileSync(join(model, 'evil\r~~~.pkl'), Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.", 'latin1'));
    const r = await cli('gate', model, '--report', join(dir, 'gate.md'));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\r/);
    const md = readFileSync(join(dir, 'gate.md'), 'utf8');
    expect(md).not.toMatch(/\r/);
    // Rendered, this reads evil\r~~~.pkl: the escape is shown, the fence characters are text.
    expect(md).toContain('- evil\\\\r\\~\\~\\~.pkl (sha256 ');
  });
});
