import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ByteSource } from '../core/bytes/byte-source';
import { convertToSafetensors, INDEX_NAME, type ConvertInput } from '../core/convert/convert';
import { looksConvertible } from '../core/convert/extract';
import { conversionText } from '../core/convert/report-text';
import { parseShardIndex, unsafeShardName } from '../core/formats/safetensors/shard-index';
import { FolderTarget } from '../node/convert-target';
import { openFileSource } from '../node/file-source';
import { threadedSha256 } from '../node/threaded-sha256';
import { parseCommandLine } from './args';
import { UsageError } from './errors';
import { EXIT, type Io } from './io';

/** transformers' default max_shard_size. */
const DEFAULT_SHARD = 5_000_000_000;
const WEIGHT_FILE = /\.(bin|pt|pth|ckpt|npy|npz)$/i;
const TORCH_INDEX = 'pytorch_model.bin.index.json';

interface ConvertArgs {
  inputs: string[];
  output: string;
  maxShardBytes?: number;
  json: boolean;
  force: boolean;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?$/i;
const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40
};

/** "5GB" (10^9, as transformers reads it), "2GiB", or a number of bytes. */
export function parseSize(text: string): number {
  const m = SIZE.exec(text.trim());
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'B').toUpperCase()]) : NaN;
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) throw new UsageError(`not a size: ${text}`);
  return bytes;
}

function parseConvertArgs(argv: string[]): ConvertArgs {
  const parsed = parseCommandLine(argv, {
    output: { type: 'string', short: 'o' },
    'max-shard-size': { type: 'string' },
    json: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false }
  });
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw new UsageError('convert needs an INPUT file or folder');
  if (!v.output) throw new UsageError('convert needs -o OUTPUT');
  return {
    inputs: parsed.positionals,
    output: v.output,
    maxShardBytes: v['max-shard-size'] === undefined ? undefined : parseSize(v['max-shard-size']),
    json: v.json,
    force: v.force
  };
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The checkpoints of a model folder: those its pytorch_model.bin.index.json lists, else every convertible one. */
async function folderInputs(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  if (names.includes(TORCH_INDEX)) {
    const { index, problems } = parseShardIndex(await readFile(join(dir, TORCH_INDEX), 'utf8'), TORCH_INDEX);
    if (!index) throw new UsageError(`${TORCH_INDEX}: ${problems[0]?.title ?? 'unreadable'}`);
    const shards = [...new Set(index.weightMap.values())];
    for (const shard of shards) {
      const unsafe = unsafeShardName(shard);
      if (unsafe) throw new UsageError(`${TORCH_INDEX} names a shard with ${unsafe}`);
    }
    return shards.map((s) => join(dir, s));
  }
  const out: string[] = [];
  for (const name of names.filter((n) => WEIGHT_FILE.test(n))) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const { source, close } = await openFileSource(path, name);
    try {
      if (looksConvertible(await source.read(0, 64))) out.push(path);
    } finally {
      await close();
    }
  }
  if (out.length === 0) throw new UsageError(`no PyTorch or NumPy files in ${dir}`);
  return out;
}

/**
 * `safeload convert INPUT -o OUTPUT.safetensors`, or a folder (or several files) into an output folder:
 * model.safetensors, or shards with model.safetensors.index.json. Exit 0 written and verified, 1 not
 * converted, 2 usage or I/O error.
 */
export async function convertCommand(argv: string[], io: Io): Promise<number> {
  const args = parseConvertArgs(argv);
  const folderMode =
    args.inputs.length > 1 || (await isDirectory(args.inputs[0])) || args.maxShardBytes !== undefined;
  const paths =
    folderMode && args.inputs.length === 1 && (await isDirectory(args.inputs[0]))
      ? await folderInputs(args.inputs[0])
      : args.inputs;
  const outDir = folderMode ? resolve(args.output) : dirname(resolve(args.output));
  const outputName = folderMode ? 'model.safetensors' : basename(args.output);
  if (folderMode) await mkdir(outDir, { recursive: true });
  else if (!(await isDirectory(outDir))) throw new UsageError(`no such folder: ${outDir}`);
  if (!args.force) {
    const existing = folderMode
      ? [join(outDir, outputName), join(outDir, INDEX_NAME)]
      : [resolve(args.output)];
    for (const path of existing) {
      if (await stat(path).catch(() => undefined))
        throw new UsageError(`${path} exists (use --force to replace it)`);
    }
  }
  const opened: { source: ByteSource; close: () => Promise<void> }[] = [];
  const target = new FolderTarget(outDir);
  try {
    const inputs: ConvertInput[] = [];
    for (const path of paths) {
      const file = await openFileSource(path, basename(path));
      opened.push(file);
      inputs.push({ source: file.source, path });
    }
    const report = await convertToSafetensors(inputs, target, {
      outputName,
      maxShardBytes: folderMode ? (args.maxShardBytes ?? DEFAULT_SHARD) : undefined,
      createHasher: threadedSha256
    });
    if (report.ok) {
      const written = await target.commit();
      report.outputs.forEach((o, i) => (o.path = written[i] ?? o.path));
      if (report.index) report.index.path = join(outDir, INDEX_NAME);
    } else await target.discard();
    io.out(args.json ? JSON.stringify(report, null, 2) : conversionText(report));
    return report.ok ? EXIT.ok : EXIT.fail;
  } catch (err) {
    await target.discard();
    throw err;
  } finally {
    await Promise.all(opened.map((f) => f.close()));
  }
}
