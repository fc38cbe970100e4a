import { isAbortError } from '../core/cancel';
import type { ConvertProgress } from '../core/convert/convert';
import { safetensorsName } from '../core/convert/offer';
import type { ConversionReport } from '../core/convert/report';
import type { ConvertDestination } from '../workers/convert-api';
import { startConversion, type ConvertJob } from '../workers/convert-client';
import { opfsFolder } from '../workers/convert-destination';

export type ConversionState = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

interface SavePicker {
  (options: {
    suggestedName: string;
    types: { description: string; accept: Record<string, string[]> }[];
  }): Promise<FileSystemFileHandle>;
}

/** OPFS files made on this page; older ones (from earlier visits) are removed when a conversion starts. */
const made = new Set<string>();

async function removeStaleOpfsFiles(): Promise<void> {
  const folder = await opfsFolder();
  const entries = (folder as unknown as { keys(): AsyncIterable<string> }).keys();
  for await (const name of entries) {
    if (!made.has(name)) await folder.removeEntry(name).catch(() => undefined);
  }
}

/**
 * One "Convert to safetensors" run for one file. The output goes where the user picks (File System Access
 * API) or, where the browser has no save picker, into the origin-private file system, from where it is
 * downloaded as a disk-backed File: the page never holds the output in memory.
 */
export class ConversionRun {
  state = $state<ConversionState>('idle');
  progress = $state.raw<ConvertProgress | undefined>(undefined);
  report = $state.raw<ConversionReport | undefined>(undefined);
  error = $state('');
  /** OPFS fallback: a blob: URL of the written file, for the download link. */
  downloadUrl = $state('');
  readonly outputName: string;
  private job: ConvertJob | undefined;
  private opfsName = '';

  constructor(
    private readonly file: File,
    private readonly path: string,
    private readonly sha256?: string
  ) {
    this.outputName = safetensorsName(path);
  }

  /** Call straight from the click handler: the save picker needs the user's gesture. */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    this.reset();
    let destination: ConvertDestination;
    try {
      destination = await this.chooseDestination();
    } catch (err) {
      if (isAbortError(err)) return; // the user closed the picker
      return this.fail(err);
    }
    this.state = 'running';
    this.progress = { phase: 'scanning', done: 0, total: 1 };
    this.job = startConversion(
      { file: this.file, path: this.path, sha256: this.sha256, outputName: this.outputName, destination },
      (p) => (this.progress = p)
    );
    try {
      const report = await this.job.result;
      this.report = report;
      this.state = report.ok ? 'done' : 'failed';
      if (report.ok && this.opfsName) this.downloadUrl = await this.opfsUrl();
    } catch (err) {
      if (isAbortError(err)) {
        this.state = 'cancelled';
        await this.removeOpfsFile();
      } else this.fail(err);
    } finally {
      this.job = undefined;
    }
  }

  cancel(): void {
    this.job?.cancel();
  }

  dispose(): void {
    this.cancel();
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
  }

  private async chooseDestination(): Promise<ConvertDestination> {
    const picker = (globalThis as unknown as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
    if (typeof picker === 'function') {
      const handle = await picker({
        suggestedName: this.outputName,
        types: [{ description: 'safetensors', accept: { 'application/octet-stream': ['.safetensors'] } }]
      });
      return { kind: 'picked', handle };
    }
    this.opfsName = `${crypto.randomUUID()}.safetensors`;
    made.add(this.opfsName);
    await removeStaleOpfsFiles();
    return { kind: 'opfs', name: this.opfsName };
  }

  private async opfsUrl(): Promise<string> {
    const folder = await opfsFolder();
    return URL.createObjectURL(await (await folder.getFileHandle(this.opfsName)).getFile());
  }

  private async removeOpfsFile(): Promise<void> {
    if (!this.opfsName) return;
    await (await opfsFolder()).removeEntry(this.opfsName).catch(() => undefined);
    made.delete(this.opfsName);
  }

  private reset(): void {
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
    this.downloadUrl = '';
    this.report = undefined;
    this.error = '';
    this.opfsName = '';
  }

  private fail(err: unknown): void {
    this.state = 'failed';
    const message = (err as Error)?.message ?? String(err);
    this.error = message.length > 300 ? `${message.slice(0, 299)}…` : message;
  }
}
