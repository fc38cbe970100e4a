import type { ByteSource } from '../bytes/byte-source';
import { MAX_IMPORT_SITES, PickleMachine, type FrameIssue } from '../formats/pickle/machine';
import { PickleStop } from '../formats/pickle/pickle-stop';
import { ConvertError } from './errors';
import type { ExtractOptions } from './extraction';
import type { ImportSite, ValueUnpickler } from './unpickler';

/*
 * The converter builds values with its own interpreter (unpickler.ts), but the verdict in its report comes
 * from the scanner's pickle machine. Two parsers of one hostile format can be made to disagree, and then
 * the safetensors written would not be what the scanner vouched for. So every pickle the converter reads is
 * read again by the scanner's machine, and the conversion is refused unless both stop at the same STOPs,
 * import the same globals at the same offsets, and the machine read the bytes completely and linearly.
 */

/** Where pickles end and what they import, as one reader read them. */
export interface PickleReading {
  /** Offset just after each STOP, in order. */
  readonly ends: readonly number[];
  /** Every import an opcode makes, in order. */
  readonly importSites: readonly ImportSite[];
  /** More imports were made than `importSites` lists. */
  readonly importSitesOverflow: boolean;
}

/** The scanner's reading: its pickle machine (the one the verdict comes from) over the same bytes. */
export interface ScannerReading extends PickleReading {
  /** Why the machine stopped before reading every pickle asked for (the verdict is not clean then). */
  stop: PickleStop | null;
  /** STACK_GLOBAL imports whose operands are computed at load time, so they have no name. */
  dynamicImports: number;
  frameIssues: readonly FrameIssue[];
  /** Spans the machine stepped over as joblib array data instead of reading them as opcodes. */
  joblibArrays: number;
}

/** Runs the scanner's pickle machine over `count` stacked pickles from `start`. */
export async function readAsScanner(
  src: ByteSource,
  start: number,
  count: number,
  options: ExtractOptions
): Promise<ScannerReading> {
  const machine = new PickleMachine(src, start, options.limits, options.signal);
  const ends: number[] = [];
  let stop: PickleStop | null = null;
  while (ends.length < count) {
    try {
      await machine.runOne();
    } catch (err) {
      if (!(err instanceof PickleStop)) throw err;
      stop = err;
      break;
    }
    ends.push(machine.end);
  }
  let dynamicImports = 0;
  for (const rec of machine.records.values()) if (rec.kind === 'dynamic') dynamicImports++;
  return {
    ends,
    importSites: machine.importSites,
    importSitesOverflow: machine.importSites.length >= MAX_IMPORT_SITES,
    stop,
    dynamicImports,
    frameIssues: machine.frameIssues,
    joblibArrays: machine.joblibArrays
  };
}

export interface Disagreement {
  message: string;
  offset?: number;
}

const name = (site: ImportSite) => JSON.stringify(`${site.module}.${site.name}`.slice(0, 120));

/** The first way the scanner's reading differs from the converter's, or undefined when they agree. */
export function disagreement(scanner: ScannerReading, converter: PickleReading): Disagreement | undefined {
  const { stop } = scanner;
  if (stop) {
    return {
      message: `the scanner stops in pickle ${scanner.ends.length + 1} (${stop.kind}: ${stop.message})`,
      offset: stop.offset
    };
  }
  if (scanner.joblibArrays > 0) {
    return {
      message: `the scanner steps over ${scanner.joblibArrays} joblib array(s) of raw bytes that torch.load reads as opcodes`
    };
  }
  const [frame] = scanner.frameIssues;
  if (frame) {
    return {
      message: `CPython's two unpicklers read its frames differently: ${frame.reason}`,
      offset: frame.offset
    };
  }
  if (scanner.dynamicImports > 0) {
    return {
      message: `the scanner finds ${scanner.dynamicImports} import(s) whose name is computed at load time`
    };
  }
  if (scanner.importSitesOverflow || converter.importSitesOverflow) {
    return { message: `it makes more than ${MAX_IMPORT_SITES} imports, too many to compare` };
  }
  const pickles = Math.max(scanner.ends.length, converter.ends.length);
  for (let i = 0; i < pickles; i++) {
    const [s, c] = [scanner.ends[i], converter.ends[i]];
    if (s !== c) {
      return {
        message: `pickle ${i + 1} ends at byte ${c ?? 'none'} for the converter but at byte ${s ?? 'none'} for the scanner`,
        offset: Math.min(s ?? Infinity, c ?? Infinity)
      };
    }
  }
  const imports = Math.max(scanner.importSites.length, converter.importSites.length);
  for (let i = 0; i < imports; i++) {
    const [s, c] = [scanner.importSites[i], converter.importSites[i]];
    if (s && c && s.offset === c.offset && s.module === c.module && s.name === c.name) continue;
    const read = (site: ImportSite | undefined) =>
      site ? `${name(site)} (${site.opcode} at byte ${site.offset})` : 'nothing';
    return {
      message: `import ${i + 1} is ${read(c)} for the converter but ${read(s)} for the scanner`,
      offset: Math.min(s?.offset ?? Infinity, c?.offset ?? Infinity)
    };
  }
  return undefined;
}

/**
 * Reads the pickles `unpickler` has read (from `start` in `src`) with the scanner's machine and throws a
 * ConvertError unless both readings agree.
 */
export async function confirmScannerReading(
  src: ByteSource,
  start: number,
  unpickler: ValueUnpickler,
  options: ExtractOptions
): Promise<void> {
  const scanner = await readAsScanner(src, start, unpickler.ends.length, options);
  const problem = disagreement(scanner, unpickler);
  if (problem) {
    throw new ConvertError(
      `the scanner and the converter read this pickle differently (${problem.message}), so nothing is converted`,
      problem.offset
    );
  }
}
