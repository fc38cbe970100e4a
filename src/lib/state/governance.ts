import { IdbRegistryStore } from '../storage/registry-idb';
import { createGovernanceWorker } from '../workers/governance-client';
import { PolicyState } from './policy.svelte';
import { RegistryState } from './registry.svelte';
import type { ScanSession } from './scan-session.svelte';
import { SessionModel } from './session-model.svelte';
import { triageInputs } from './triage-inputs.svelte';

function localStore(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

/** The governance pages' state, wired to the browser: IndexedDB, localStorage and a lazily started worker. */
export function createGovernance(session: ScanSession) {
  let worker: ReturnType<typeof createGovernanceWorker> | undefined;
  const api = () => (worker ??= createGovernanceWorker()).api;
  const model = new SessionModel({ jobs: () => session.jobs, inputs: triageInputs, worker: api });
  const policy = new PolicyState(typeof window === 'undefined' ? null : localStore());
  const registry = new RegistryState(
    () => IdbRegistryStore.open(),
    (file) => api().readRegistryFile(file)
  );
  return { model, policy, registry, dispose: () => worker?.dispose() };
}
