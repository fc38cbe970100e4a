import { licenseFromManifest, type TriageReport } from '../core/triage';
import type { GovernanceFile, GovernanceWorkerApi, ModelExtras } from '../workers/governance-api';
import type { FileJob } from './file-job';
import { commonFolder, relativeTo, sessionTriage, suggestedName, type ModelIdentity } from './session-triage';
import type { TriageInputs } from './triage-inputs.svelte';

export interface SessionModelDeps {
  jobs: () => readonly FileJob[];
  inputs: TriageInputs;
  /** Reads model cards and dependency files in a worker; created lazily on first use. */
  worker: () => Pick<GovernanceWorkerApi, 'readExtras'>;
}

/**
 * The session's files seen as one model version: which files are included, the model's name, version and
 * source, the licence and dependencies read from its files, and the triage report built from all of it.
 */
export class SessionModel {
  readonly #deps: SessionModelDeps;
  name = $state('');
  version = $state('');
  source = $state('');
  /** Job ids the analyst left out of the model. */
  excluded = $state.raw<ReadonlySet<number>>(new Set());
  extras = $state.raw<ModelExtras | null>(null);
  reading = $state(false);

  readonly scanned = $derived.by(() =>
    this.#deps.jobs().filter((j) => j.state === 'done' && j.report && j.sha256)
  );
  readonly included = $derived(this.scanned.filter((j) => !this.excluded.has(j.id)));
  readonly pending = $derived.by(
    () => this.#deps.jobs().filter((j) => j.state === 'queued' || j.state === 'hashing').length
  );
  readonly identity: ModelIdentity = $derived({
    name: this.name.trim() || suggestedName(this.included.map((j) => j.path)),
    version: this.version,
    source: this.source
  });
  readonly report: TriageReport | null = $derived(this.freshReport());

  /** The triage as of now, for filing in the registry. */
  freshReport(now = new Date().toISOString()): TriageReport | null {
    if (this.included.length === 0) return null;
    return sessionTriage(
      this.included,
      this.identity,
      {
        // The model card's front matter first, else the licence the Hub listed in the manifest.
        license: this.extras?.license ?? licenseFromManifest(this.#deps.inputs.provenance?.manifest),
        // A real audit from the Dependencies page beats the declared list read here.
        dependencies: this.#deps.inputs.dependencies ?? this.extras?.dependencies ?? null,
        provenance: this.#deps.inputs.provenance,
        signature: this.#deps.inputs.signature
      },
      now
    );
  }

  #key = '';
  #version = 0;

  constructor(deps: SessionModelDeps) {
    this.#deps = deps;
  }

  toggle(id: number, include: boolean): void {
    const next = new Set(this.excluded);
    if (include) next.delete(id);
    else next.add(id);
    this.excluded = next;
  }

  /** Starts reading the included files' licence and dependencies whenever they change; returns the cleanup. */
  connect(): () => void {
    return $effect.root(() => {
      $effect(() => {
        const jobs = this.included;
        const key = jobs.map((j) => j.id).join(',');
        if (key === this.#key) return;
        this.#key = key;
        void this.#read(jobs);
      });
    });
  }

  async #read(jobs: readonly FileJob[]): Promise<void> {
    const version = ++this.#version;
    const folder = commonFolder(jobs.map((j) => j.path));
    const files: GovernanceFile[] = jobs.flatMap((j) =>
      j.file ? [{ path: relativeTo(folder, j.path), file: j.file }] : []
    );
    if (files.length === 0) {
      this.extras = null;
      return;
    }
    this.reading = true;
    try {
      const extras = await this.#deps.worker().readExtras(files);
      if (version === this.#version) this.extras = extras;
    } catch (err) {
      if (version === this.#version)
        this.extras = {
          license: null,
          dependencies: null,
          problems: [`The model card and dependency files could not be read: ${String(err).slice(0, 200)}`]
        };
    } finally {
      if (version === this.#version) this.reading = false;
    }
  }
}
