import { storedJob, type SessionStore } from '../storage/session-idb';
import { isActive, type FileJob } from './file-job';
import type { ScanSession } from './scan-session.svelte';

/** Where the user's choice is kept; results are kept unless they switched it off. */
const CHOICE_KEY = 'safeload.keep-results';
const SAVE_DELAY_MS = 400;

export type PersistenceStatus = 'starting' | 'kept' | 'off' | 'unavailable';

/**
 * Keeps the Check files results across reloads: settled files (names, sizes, hashes, reports) are written to
 * IndexedDB whenever nothing is in progress, and read back at start. The File objects are not kept (a
 * browser cannot re-read them after a reload), and files still being read are not saved.
 */
export class SessionPersistence {
  status = $state<PersistenceStatus>('starting');
  /** When the restored results were saved, and how many came back. */
  restoredFrom = $state<{ savedAt: string; count: number } | null>(null);
  problem = $state('');

  #store: SessionStore | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stop: (() => void) | undefined;

  constructor(
    private readonly session: ScanSession,
    private readonly openStore: () => Promise<SessionStore>,
    private readonly choiceStore?: Pick<Storage, 'getItem' | 'setItem'>
  ) {}

  private get choice(): Pick<Storage, 'getItem' | 'setItem'> | undefined {
    return this.choiceStore ?? globalThis.localStorage;
  }

  async start(): Promise<void> {
    if (this.choice?.getItem(CHOICE_KEY) === 'off') {
      this.status = 'off';
      return;
    }
    try {
      this.#store = await this.openStore();
      const stored = await this.#store.load();
      if (stored && stored.jobs.length > 0) {
        this.session.restore(stored.jobs);
        this.restoredFrom = { savedAt: stored.savedAt, count: stored.jobs.length };
      }
      this.status = 'kept';
      this.#watch();
    } catch (err) {
      this.status = 'unavailable';
      this.problem = String((err as Error)?.message ?? err).slice(0, 200);
    }
  }

  /** Switches keeping on or off; off also deletes what was kept. */
  async setKept(keep: boolean): Promise<void> {
    this.choice?.setItem(CHOICE_KEY, keep ? 'on' : 'off');
    if (keep) {
      if (this.status === 'off') await this.start();
      return;
    }
    this.#unwatch();
    this.status = 'off';
    this.restoredFrom = null;
    await this.forget();
  }

  /** Deletes the kept copy (the list on screen stays until cleared). */
  async forget(): Promise<void> {
    try {
      this.#store ??= await this.openStore();
      await this.#store.clear();
    } catch (err) {
      this.problem = String((err as Error)?.message ?? err).slice(0, 200);
    }
  }

  dispose(): void {
    this.#unwatch();
  }

  #watch(): void {
    this.#stop = $effect.root(() => {
      $effect(() => {
        const jobs = this.session.jobs;
        if (this.session.busy) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.#save(jobs.filter((j) => !isActive(j))), SAVE_DELAY_MS);
      });
    });
  }

  #unwatch(): void {
    clearTimeout(this.#timer);
    this.#stop?.();
    this.#stop = undefined;
  }

  async #save(jobs: readonly FileJob[]): Promise<void> {
    if (!this.#store || this.status !== 'kept') return;
    try {
      if (jobs.length === 0) await this.#store.clear();
      else await this.#store.save({ savedAt: new Date().toISOString(), jobs: jobs.map(storedJob) });
      this.problem = '';
    } catch (err) {
      this.problem = `Results could not be kept in this browser: ${String((err as Error)?.message ?? err).slice(0, 200)}`;
    }
  }
}
