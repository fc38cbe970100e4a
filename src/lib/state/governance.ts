import { IdbRegistryStore } from '../storage/registry-idb';
import { createGovernanceWorker } from '../workers/governance-client';
import { createPolicyRunner } from '../workers/policy-runner';
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
  // Policies run in their own worker under a time limit: a runaway rule is ended, never the page.
  const runner = createPolicyRunner();
  const policy = new PolicyState(typeof window === 'undefined' ? null : localStore(), runner);
  const registry = new RegistryState(
    () => IdbRegistryStore.open(),
    (file) => api().readRegistryFile(file),
    (report, evaluatedAt) => policy.evaluate(report, evaluatedAt)
  );
  return {
    model,
    policy,
    registry,
    dispose: () => {
      worker?.dispose();
      runner.dispose();
    }
  };
}
