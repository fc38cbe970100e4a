import { describe, expect, it } from 'vitest';
import { serializeRegistry, exportRegistry } from '../../src/lib/core/registry';
import { MemoryRegistryStore } from './memory-registry-store';
import { buildTriageReport, type TriageReport } from '../../src/lib/core/triage';
import { PolicyState } from '../../src/lib/state/policy.svelte';
import { POLICY_STORAGE_KEY } from '../../src/lib/state/policy-text';
import { RegistryState } from '../../src/lib/state/registry.svelte';
import { readRegistryFile } from '../../src/lib/workers/registry-file';
import { fixture, mapStorage, scanFiles } from './policy-fixtures';

const LENIENT =
  'name: team\nextends: safeload/builtin\ndisable: [approved-signer, provenance-pinned, license-allowed]\n';

describe('PolicyState and RegistryState', () => {
  it('persists the active policy and files evaluated triages; a bad import changes nothing', async () => {
    const storage = mapStorage();
    const policy = new PolicyState(storage);
    policy.edit(LENIENT);
    expect(storage.map.get(POLICY_STORAGE_KEY)).toBe(LENIENT);
    expect(new PolicyState(storage).text).toBe(LENIENT);
    policy.edit('rules: [');
    expect(policy.set).toBeNull();
    policy.edit(LENIENT);

    const store = new MemoryRegistryStore();
    const evaluate = (report: TriageReport, at: string) => policy.evaluate(report, at);
    const registry = new RegistryState(async () => store, readRegistryFile, evaluate);
    const good = buildTriageReport({
      model: { name: 'acme/good', version: '1' },
      files: await scanFiles([['model.pt', fixture('models/torch_state_dict.pt')]])
    });
    const bad = buildTriageReport({
      model: { name: 'evil/model', version: '1' },
      files: await scanFiles([['model.pt', fixture('models/torch_zip_os_system.pt')]])
    });
    await registry.add(good, await policy.evaluate(good));
    await registry.add(bad, await policy.evaluate(bad));
    expect(registry.records.map((r) => r.status)).toEqual(['pass', 'fail']);
    expect(registry.opened?.name).toBe('evil/model');
    expect(registry.counts).toEqual({ pass: 1, fail: 1, error: 0, unevaluated: 0 });

    const text = serializeRegistry(await exportRegistry(store));
    const broken = new File([text.replace('"format": "safeload-registry"', '"format": "other"')], 'x.json');
    expect(await registry.importFile(broken)).toBeNull();
    expect(registry.importErrors[0]).toMatch(/x\.json: .*format/);

    const fresh = new RegistryState(async () => new MemoryRegistryStore(), readRegistryFile, evaluate);
    const summary = await fresh.importFile(new File([text], 'registry.json'));
    expect(summary?.added).toEqual(['acme/good@1', 'evil/model@1']);
    const view = (r: { name: string; reports: unknown[]; status: unknown }) => [r.name, r.reports, r.status];
    expect(fresh.records.map(view)).toEqual(registry.records.map(view));

    policy.edit(
      `${LENIENT}rules:\n  - id: broken\n    severity: deny\n    expression: model.nope(\n    message: m\n`
    );
    expect((await policy.evaluate(good))?.outcome).toBe('error');
  });
});
