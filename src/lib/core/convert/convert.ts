import type { ByteSource } from '../bytes/byte-source';
import { TruncatedError } from '../bytes/reader';
import { isAbortError } from '../cancel';
import { DEFAULT_LIMITS, type ScanLimits } from '../limits';
import { scanSource } from '../scan';
import { ConvertError } from './errors';
import { extractTensors } from './extract';
import type { Extraction } from './extraction';
import { buildHeader, shardName, splitShards, type ShardLayout } from './header';
import { planConversion, type ConversionPlan } from './plan';
import { summarizeScan, type ConversionReport, type ConvertedInput } from './report';
import type { NotExecuted } from './unpickler';
import { verifyOutput } from './verify';
import { writeShard, type ByteSink, type StreamHasher } from './writer';

export interface ConvertInput {
  source: ByteSource;
  /** Path shown in the report. */
  path: string;
  /** Known digest of the input (the app has it from hashing), recorded in the report. */
  sha256?: string;
}

/** Where outputs are written, and read back from for verification. */
export interface OutputTarget {
  open(name: string, size: number): Promise<ByteSink>;
  /** The file as written, for the re-scan; undefined when it cannot be read back. */
  reopen(name: string): Promise<ByteSource | undefined>;
}

export interface ConvertProgress {
  phase: 'scanning' | 'extracting' | 'writing' | 'verifying';
  done: number;
  total: number;
}

export interface ConvertOptions {
  /** Single-file mode: the output file name. */
  outputName: string;
  /** Folder mode: shard the output at this many bytes of tensor data and write an index. */
  maxShardBytes?: number;
  createHasher: () => Promise<StreamHasher>;
  limits?: Partial<ScanLimits>;
  signal?: AbortSignal;
  onProgress?: (p: ConvertProgress) => void;
  chunkSize?: number;
}

export const INDEX_NAME = 'model.safetensors.index.json';

function emptyReport(inputs: ConvertedInput[]): ConversionReport {
  return {
    ok: false,
    inputs,
    outputs: [],
    tensors: 0,
    parameters: 0,
    bytes: 0,
    aliases: [],
    sharedCopies: [],
    madeContiguous: [],
    refused: [],
    dropped: [],
    droppedNotListed: 0,
    notExecuted: [],
    durationMs: 0
  };
}

/**
 * Converts PyTorch checkpoints or NumPy files to safetensors without executing them: scans each input with
 * the normal scanner (for the report), extracts its tensors symbolically, writes the output streaming,
 * then reads the output back, scans it and checks its header against the plan.
 */
export async function convertToSafetensors(
  inputs: readonly ConvertInput[],
  target: OutputTarget,
  options: ConvertOptions
): Promise<ConversionReport> {
  const started = Date.now();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { signal, onProgress } = options;
  const report = emptyReport(
    inputs.map((i) => ({ path: i.path, size: i.source.size, sha256: i.sha256, tensors: 0, notes: [] }))
  );
  const finish = (error?: string) => {
    report.ok = error === undefined;
    if (error !== undefined) report.error = error;
    report.durationMs = Date.now() - started;
    return report;
  };
  const extractions: Extraction[] = [];
  for (const [i, input] of inputs.entries()) {
    const entry = report.inputs[i];
    onProgress?.({ phase: 'scanning', done: i, total: inputs.length });
    entry.scan = summarizeScan(await scanSource(input.source, { limits, signal }));
    onProgress?.({ phase: 'extracting', done: i, total: inputs.length });
    try {
      const ex = await extractTensors(input.source, { limits, signal });
      entry.format = ex.format;
      entry.tensors = ex.tensors.length;
      entry.notes = ex.notes;
      extractions.push(ex);
      collectLeftOut(report, ex, inputs.length > 1 ? input.path : undefined);
    } catch (err) {
      if (!isInputProblem(err)) throw err;
      entry.error = describeError(err);
      if (err instanceof ConvertError) collectCalls(report, err.notExecuted);
      return finish(`${input.path}: ${entry.error}`);
    }
  }
  let plan: ConversionPlan;
  try {
    plan = planConversion(extractions);
  } catch (err) {
    if (!(err instanceof ConvertError)) throw err;
    return finish(err.message);
  }
  Object.assign(report, {
    tensors: plan.tensors.length,
    bytes: plan.totalBytes,
    parameters: plan.tensors.reduce((n, t) => n + t.byteLength / t.itemSize, 0),
    aliases: plan.aliases,
    sharedCopies: plan.sharedCopies,
    madeContiguous: plan.madeContiguous,
    refused: plan.refused
  });
  if (plan.refused.length > 0) {
    return finish(`${plan.refused.length} tensor(s) cannot be converted faithfully, so nothing was written`);
  }
  const layouts = shardLayouts(plan, extractions, options);
  const total = layouts.reduce((n, l) => n + l.layout.size, 0);
  let before = 0;
  for (const { name, layout } of layouts) {
    const sink = await target.open(name, layout.size);
    try {
      const base = before;
      const sha256 = await writeShard(layout, sink, {
        hasher: await options.createHasher(),
        signal,
        chunkSize: options.chunkSize,
        onProgress: (written) => onProgress?.({ phase: 'writing', done: base + written, total })
      });
      await sink.close();
      report.outputs.push({ path: name, size: layout.size, sha256, tensors: layout.tensors.length });
    } catch (err) {
      await sink.abort().catch(() => undefined);
      if (isAbortError(err)) throw err;
      if (err instanceof ConvertError) return finish(describeError(err));
      throw err;
    }
    before += layout.size;
  }
  if (layouts.length > 1) report.index = await writeIndex(target, layouts, plan, options);
  onProgress?.({ phase: 'verifying', done: 0, total: layouts.length });
  const problems: string[] = [];
  for (const [i, { layout }] of layouts.entries()) {
    const out = report.outputs[i];
    const problem = await verifyOutput(target, out, layout, limits, signal);
    if (problem) problems.push(`${out.path}: ${problem}`);
  }
  return finish(problems.length ? `the output did not verify: ${problems.join('; ')}` : undefined);
}

function collectLeftOut(report: ConversionReport, ex: Extraction, inputPath?: string): void {
  const prefix = inputPath === undefined ? '' : `${inputPath}: `;
  for (const d of ex.dropped) report.dropped.push({ ...d, path: prefix + d.path });
  report.droppedNotListed += ex.droppedNotListed;
  collectCalls(report, ex.notExecuted);
}

function collectCalls(report: ConversionReport, calls: readonly NotExecuted[]): void {
  for (const n of calls) {
    const same = report.notExecuted.find((x) => x.callee === n.callee);
    if (same) same.count += n.count;
    else report.notExecuted.push({ ...n });
  }
}

/** Errors that mean the input cannot be converted (as opposed to failing to read it at all). */
function isInputProblem(err: unknown): err is Error {
  return err instanceof ConvertError || err instanceof TruncatedError || err instanceof RangeError;
}

function describeError(err: Error): string {
  const offset =
    err instanceof ConvertError ? err.offset : err instanceof TruncatedError ? err.offset : undefined;
  return offset === undefined ? err.message : `${err.message} (at byte ${offset})`;
}

function shardLayouts(
  plan: ConversionPlan,
  extractions: readonly Extraction[],
  options: ConvertOptions
): { name: string; layout: ShardLayout }[] {
  const metadata: Record<string, string> = {};
  if (extractions.some((e) => e.format.startsWith('pytorch'))) metadata.format = 'pt';
  for (const a of plan.aliases) if (!Object.hasOwn(metadata, a.name)) metadata[a.name] = a.keptAs;
  const shards =
    options.maxShardBytes === undefined ? [plan.tensors] : splitShards(plan.tensors, options.maxShardBytes);
  if (shards.length === 1) {
    const name = options.maxShardBytes === undefined ? options.outputName : 'model.safetensors';
    return [{ name, layout: buildHeader(shards[0], metadata) }];
  }
  return shards.map((tensors, i) => ({
    name: shardName(i, shards.length),
    layout: buildHeader(tensors, metadata)
  }));
}

/** transformers' index: total data bytes and which shard holds each tensor (aliases are not listed). */
async function writeIndex(
  target: OutputTarget,
  layouts: { name: string; layout: ShardLayout }[],
  plan: ConversionPlan,
  options: ConvertOptions
): Promise<{ path: string; sha256: string; size: number }> {
  const entries = layouts.flatMap(({ name, layout }) => layout.tensors.map((t) => [t.name, name] as const));
  // Sorted by name, as transformers writes it (json.dumps(sort_keys=True)).
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = entries.map(([tensor, shard]) => `    ${JSON.stringify(tensor)}: ${JSON.stringify(shard)}`);
  const text = `{\n  "metadata": {\n    "total_size": ${plan.totalBytes}\n  },\n  "weight_map": {\n${lines.join(',\n')}\n  }\n}\n`;
  const bytes = new TextEncoder().encode(text);
  const sink = await target.open(INDEX_NAME, bytes.length);
  const hasher = await options.createHasher();
  try {
    await sink.write(bytes);
    await hasher.update(bytes);
    await sink.close();
  } catch (err) {
    await sink.abort().catch(() => undefined);
    throw err;
  }
  return { path: INDEX_NAME, sha256: await hasher.digest('hex'), size: bytes.length };
}
