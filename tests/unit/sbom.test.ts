import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditDependencies } from '../../src/lib/core/deps/audit';
import { collectDependencies } from '../../src/lib/core/deps/collect';
import { MemoryOsvIndexStore, OfflineOsvSource } from '../../src/lib/core/deps/osv-database';
import { repoFactsFromInfo } from '../../src/lib/core/provenance/repo-facts';
import { buildMlBom } from '../../src/lib/core/sbom/cyclonedx';
import { huggingfacePurl, pypiPurl } from '../../src/lib/core/sbom/purl';
import { BOM_16_SCHEMA } from '../../src/lib/core/sbom/schemas';
import { validateBom } from '../../src/lib/core/sbom/validate';
import { fixtureReader, lockfile, loadOsvRecords, SCHEMA_DIR, SHARED } from './deps-fixtures';
import { describeShared } from '../shared-fixtures';

const schema16 = () => JSON.parse(readFileSync(join(SCHEMA_DIR, 'cyclonedx-bom-1.6.schema.json'), 'utf8'));
const hubInfo = () =>
  JSON.parse(
    readFileSync(
      join(
        SHARED,
        'fixtures/huggingface/recorded__model-info__google-bert_bert-base-uncased__2025-01-22.json'
      ),
      'utf8'
    )
  ).response.body;

async function exampleBom() {
  const files: Record<string, string> = {
    'requirements.txt': 'torch==1.13.0\ntransformers==4.36.0\nnumpy>=1.20\n',
    'pylock.toml': lockfile('pylock_testdata_example.toml')
  };
  const collected = await collectDependencies(Object.keys(files), fixtureReader(files));
  const store = new MemoryOsvIndexStore();
  const byName = new Map<string, ReturnType<typeof loadOsvRecords>>();
  for (const r of loadOsvRecords())
    for (const a of r.affected ?? [])
      byName.set(a.package!.name!.toLowerCase(), [...(byName.get(a.package!.name!.toLowerCase()) ?? []), r]);
  await store.append(byName);
  const audit = await auditDependencies(collected.dependencies, new OfflineOsvSource(store));
  const info = hubInfo();
  const facts = repoFactsFromInfo(info, 'google-bert/bert-base-uncased');
  return buildMlBom({
    model: {
      name: 'bert-base-uncased',
      files: [
        {
          path: 'model.safetensors',
          sha256: '68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3',
          size: 440449768,
          formats: ['safetensors']
        },
        { path: 'config.json', sha256: 'A'.repeat(64), size: 570 }
      ],
      hub: { repoId: 'google-bert/bert-base-uncased', commit: info.sha, facts }
    },
    dependencies: collected.dependencies,
    audit,
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    timestamp: '2026-01-01T00:00:00Z'
  });
}

describe('CycloneDX 1.6 ML-BOM', () => {
  it('encodes purls', () => {
    expect(pypiPurl('torch', '2.5.1+cu121')).toBe('pkg:pypi/torch@2.5.1%2Bcu121');
    expect(huggingfacePurl('gpt2')).toBe('pkg:huggingface/gpt2');
  });
});

describeShared('CycloneDX 1.6 ML-BOM against the fixture set', () => {
  it('validates the shared example completely, SPDX license ids and JSF signatures included', () => {
    const example = JSON.parse(readFileSync(join(SHARED, 'fixtures/sbom/mlbom-example.cdx.json'), 'utf8'));
    for (const schema of [schema16(), BOM_16_SCHEMA])
      expect(validateBom(example, schema)).toEqual({ valid: true, errors: [] });
    expect(validateBom(example)).toEqual({ valid: true, errors: [] });
    example.metadata.component.licenses = [{ license: { id: 'Not-A-Real-SPDX-Id' } }];
    const bad = validateBom(example);
    expect(bad.valid).toBe(false);
    expect(bad.unresolved).toBeUndefined();
    expect(bad.errors.join('\n')).toMatch(/licenses\/0\/license\/id/);
  });

  it('checks a signature against the JSF schema it refers to', () => {
    const example = JSON.parse(readFileSync(join(SHARED, 'fixtures/sbom/mlbom-example.cdx.json'), 'utf8'));
    example.signature = { algorithm: 'ES256', value: 'c2lnbmF0dXJl' };
    expect(validateBom(example)).toEqual({ valid: true, errors: [] });
    example.signature = { algorithm: 'NOT-AN-ALGORITHM', value: 'c2lnbmF0dXJl' };
    expect(validateBom(example).valid).toBe(false);
  });

  it('builds a BOM that validates against the 1.6 schema without eval', async () => {
    const bom = (await exampleBom()) as Record<string, any>;
    const result = validateBom(bom, schema16());
    expect(result).toEqual({ valid: true, errors: [] });
    const model = bom.metadata.component;
    expect(model).toMatchObject({
      type: 'machine-learning-model',
      group: 'google-bert',
      name: 'bert-base-uncased',
      version: '86b5e0934494bd15c9632b12f734a8a67f723594',
      purl: 'pkg:huggingface/google-bert/bert-base-uncased@86b5e0934494bd15c9632b12f734a8a67f723594',
      modelCard: { modelParameters: { task: 'fill-mask' } }
    });
    expect(model.licenses).toEqual([{ license: { name: 'apache-2.0' } }]);
    expect(model.components.map((c: any) => [c.name, c.hashes[0].content])).toEqual([
      ['model.safetensors', '68d45e234eb4a928074dfd868cead0219ab85354cc53d20e772753c6bb9169d3'],
      ['config.json', 'a'.repeat(64)]
    ]);
    expect(model.externalReferences[1].url).toBe(
      `https://huggingface.co/google-bert/bert-base-uncased/blob/${hubInfo().sha}/README.md`
    );
    const refs = bom.components.map((c: any) => c['bom-ref']);
    expect(refs).toContain('pkg:pypi/torch@1.13.0');
    expect(refs).toContain('pkg:pypi/cattrs@24.1.2');
    expect(bom.components.find((c: any) => c.name === 'numpy' && !c.version)).toBeUndefined(); // pinned by pylock
    const graph = Object.fromEntries(bom.dependencies.map((d: any) => [d.ref, d.dependsOn]));
    expect(graph['pkg:pypi/cattrs@24.1.2']).toEqual(['pkg:pypi/attrs@25.1.0']);
    expect(graph.model).toContain('pkg:pypi/torch@1.13.0');
    expect(graph.model).not.toContain('pkg:pypi/attrs@25.1.0');
    const torchVuln = bom.vulnerabilities.find((v: any) => v.id === 'GHSA-53q9-r3pm-6pq6');
    expect(torchVuln).toMatchObject({
      ratings: [{ method: 'CVSSv4', score: 9.3, severity: 'critical' }],
      cwes: [502],
      affects: [{ ref: 'pkg:pypi/torch@1.13.0', versions: [{ version: '1.13.0', status: 'affected' }] }],
      recommendation: 'Upgrade torch to 2.6.0.'
    });
    expect(bom.vulnerabilities.find((v: any) => v.id === 'GHSA-37q5-v5qm-c9v8').ratings).toEqual([
      { method: 'other', severity: 'low' }
    ]);
  });

  it('the schema rejects a broken BOM', async () => {
    const bom = (await exampleBom()) as Record<string, any>;
    bom.metadata.component.components[0].hashes[0].alg = 'SHA-257';
    const result = validateBom(bom, schema16());
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/hashes\/0\/alg/);
  });
});
