import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileReport } from '../core/findings';

export interface AnalyseRequest {
  id: number;
  fsPath: string;
  path: string;
}

export type AnalyseReply = { id: number; report: FileReport } | { id: number; error: string };

export type Analyse = (fsPath: string, path: string) => Promise<FileReport>;

/** At most this many workers, whatever the cores: each reads one file at a time with bounded buffers. */
const MAX_WORKERS = 4;

/**
 * The bundled worker entry (dist/cli/analyse-worker.mjs), beside the bundle's entry or one folder up from a
 * chunk; undefined when running from sources (tests), where files are analysed in this thread.
 */
function workerFile(): URL | undefined {
  for (const rel of ['./analyse-worker.mjs', '../analyse-worker.mjs']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * How many files to analyse at once: one per core (at most MAX_WORKERS), never more than there are files.
 * SAFELOAD_THREADS caps it (1: no worker threads), for machines whose cores are shared.
 */
export function poolSizeFor(
  files: number,
  cores = availableParallelism(),
  cap = Number(process.env.SAFELOAD_THREADS) || MAX_WORKERS
): number {
  return Math.max(1, Math.min(files, cores, cap, MAX_WORKERS));
}

/**
 * Worker threads that hash and scan files, one file per worker at a time (memory stays that of one file per
 * worker). A worker that dies fails its file with an error, and is replaced for the next one.
 */
export class AnalysePool {
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly all = new Set<Worker>();
  private nextId = 1;

  private constructor(
    private readonly file: URL,
    private readonly size: number
  ) {}

  /** A pool of `size` workers, or undefined where there is no bundled worker or one would not help. */
  static create(size: number, file = workerFile()): AnalysePool | undefined {
    return file && size > 1 ? new AnalysePool(file, size) : undefined;
  }

  readonly analyse: Analyse = async (fsPath, path) => {
    const worker = await this.take();
    try {
      return await this.run(worker, { id: this.nextId++, fsPath, path });
    } finally {
      this.give(worker);
    }
  };

  async close(): Promise<void> {
    await Promise.all([...this.all].map((w) => w.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }

  private async take(): Promise<Worker> {
    for (;;) {
      const worker = this.idle.pop();
      if (worker) return worker;
      if (this.all.size < this.size) {
        const started = new Worker(this.file);
        this.all.add(started);
        return started;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private give(worker: Worker): void {
    if (this.all.has(worker)) this.idle.push(worker);
    this.waiting.shift()?.();
  }

  private run(worker: Worker, request: AnalyseRequest): Promise<FileReport> {
    return new Promise((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: AnalyseReply) => {
        if (reply.id !== request.id) return;
        done();
        if ('error' in reply) reject(new Error(reply.error));
        else resolve(reply.report);
      };
      const fail = (message: string) => {
        done();
        this.all.delete(worker);
        void worker.terminate();
        reject(new Error(message));
      };
      const onError = (err: Error) => fail(`the scanning thread failed: ${err.message}`);
      const onExit = (code: number) => fail(`the scanning thread stopped (exit code ${code})`);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });
  }
}
