import type { ByteSource } from './bytes/byte-source';
import { throwIfAborted, isAbortError } from './cancel';
import { maxVerdict, shorten, type Finding, type FileReport, type Verdict } from './findings';
import { FORMATS } from './formats';
import type { FileReference, FindingInput, FormatScanner, Probe, ScanContext } from './formats/types';
import { DEFAULT_LIMITS, type ScanLimits } from './limits';
import { InspectedCollector } from './inspected';
import { TruncatedError } from './bytes/reader';

const PROBE_BYTES = 64 * 1024;

export interface ScanOptions {
  limits?: Partial<ScanLimits>;
  signal?: AbortSignal;
  formats?: readonly FormatScanner[];
}

export async function probeSource(src: ByteSource): Promise<Probe> {
  const head = await src.read(0, PROBE_BYTES);
  const tail = src.size <= PROBE_BYTES ? head : await src.read(src.size - PROBE_BYTES, PROBE_BYTES);
  return { head, tail, name: src.name, size: src.size };
}

class FileScan {
  readonly findings: Finding[] = [];
  readonly formats = new Set<string>();
  readonly facts: Record<string, string | number | boolean> = {};
  readonly references: FileReference[] = [];
  readonly inspected = new InspectedCollector();
  /** Members that are windows of the file, by container path: listed where findings point into them. */
  readonly members = new Map<string, { path: string[]; fileOffset: number; size: number }>();
  complete = true;
  dropped = 0;
  decompressed = 0;

  constructor(
    readonly limits: ScanLimits,
    readonly registry: readonly FormatScanner[],
    readonly signal?: AbortSignal
  ) {}

  verdict: Verdict = 'clean';

  add(finding: Finding): void {
    this.verdict = maxVerdict(this.verdict, finding.severity);
    if (this.findings.length < this.limits.maxFindings) this.findings.push(finding);
    else this.dropped++;
  }

  async scanSource(src: ByteSource, path: string[], depth: number): Promise<void> {
    throwIfAborted(this.signal);
    let probe: Probe;
    try {
      probe = await probeSource(src);
    } catch (err) {
      this.failed(err, path, 'scan');
      return;
    }
    const matches = this.registry.filter((f) => f.sniff(probe));
    if (matches.length === 0 && depth === 0) {
      this.add({
        ruleId: 'scan.unrecognized',
        severity: 'info',
        title: 'No model format recognised',
        message:
          'Safeload hashed this file but found no format it analyses (pickle, PyTorch, NumPy, archives, …), so it says nothing about its safety.',
        format: 'unknown',
        location: { path },
        evidence: { excerpt: shorten(new TextDecoder('latin1').decode(probe.head.subarray(0, 32)), 48) }
      });
    }
    if (depth > 0 && src.fileOffset !== undefined && this.members.size < 10_000) {
      this.members.set(path.join('\n'), { path, fileOffset: src.fileOffset, size: src.size });
    }
    for (const format of matches) {
      this.formats.add(format.id);
      const ctx = this.context(format.id, path, depth);
      try {
        await format.scan(src, ctx, probe);
      } catch (err) {
        this.failed(err, path, format.id);
      }
    }
  }

  private failed(err: unknown, path: string[], format: string): void {
    if (isAbortError(err)) throw err;
    this.complete = false;
    const truncated = err instanceof TruncatedError;
    this.add({
      ruleId: truncated ? 'scan.truncated' : 'scan.error',
      severity: 'medium',
      title: truncated ? 'File ends early: analysis incomplete' : 'Could not analyse this part of the file',
      message: `${truncated ? 'The data ends before the structure does' : 'The analyser stopped with an error'}: ${shorten(String((err as Error)?.message ?? err), 300)}. Whatever follows was not checked, so this file is not known to be safe.`,
      format,
      location: { path, offset: truncated ? (err as TruncatedError).offset : undefined },
      evidence: {}
    });
  }

  private context(format: string, path: string[], depth: number): ScanContext {
    const scan = this;
    return {
      path,
      depth,
      limits: this.limits,
      signal: this.signal,
      report(f: FindingInput) {
        scan.add({
          ruleId: f.ruleId,
          severity: f.severity,
          title: f.title,
          message: f.message,
          format,
          location: { path, offset: f.offset },
          evidence: f.evidence ?? {}
        });
      },
      incomplete(reason, offset, evidence) {
        scan.complete = false;
        scan.add({
          ruleId: 'scan.incomplete',
          severity: 'medium',
          title: 'Analysis incomplete',
          message: `${reason} The part that was not analysed could hide anything, so this file is not known to be safe.`,
          format,
          location: { path, offset },
          evidence: evidence ?? {}
        });
      },
      async scanNested(member, memberName) {
        const childPath = [...path, memberName];
        if (depth + 1 > scan.limits.maxDepth) {
          this.incomplete(
            `Nesting deeper than ${scan.limits.maxDepth} levels was not followed (${shorten(memberName, 80)}).`
          );
          return;
        }
        await scan.scanSource(member, childPath, depth + 1);
      },
      fact(key, value) {
        const prefix = path.length > 1 ? `${path.slice(1).join(' › ')} › ` : '';
        if (Object.keys(scan.facts).length < 200) scan.facts[prefix + key] = value;
      },
      reference(ref) {
        if (depth === 0 && scan.references.length < 10_000) scan.references.push(ref);
      },
      claimDecompressed(bytes) {
        scan.decompressed += bytes;
        return scan.decompressed <= scan.limits.maxTotalDecompressedBytes;
      },
      addFormat(id) {
        scan.formats.add(id);
      },
      inspect(part) {
        scan.inspected.add(part, path, format);
      }
    };
  }
}

/** Scans one file (any format the registry knows) and returns its report, without digests. */
export async function scanSource(src: ByteSource, options: ScanOptions = {}): Promise<FileReport> {
  const started = Date.now();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const scan = new FileScan(limits, options.formats ?? FORMATS, options.signal);
  await scan.scanSource(src, [src.name], 0);
  if (scan.dropped > 0) {
    scan.findings.push({
      ruleId: 'scan.findings-truncated',
      severity: 'info',
      title: `${scan.dropped} more findings not listed`,
      message: `Only the first ${limits.maxFindings} findings are kept; the verdict still counts every one.`,
      format: 'scan',
      location: { path: [src.name] },
      evidence: {}
    });
  }
  addMemberPlacements(scan);
  return {
    path: src.name,
    size: src.size,
    formats: [...scan.formats],
    verdict: scan.verdict,
    complete: scan.complete,
    findings: scan.findings,
    facts: scan.facts,
    references: scan.references,
    ...(scan.inspected.result() ? { inspected: scan.inspected.result() } : {}),
    durationMs: Date.now() - started
  };
}

/** Where the members that findings point into lie in the file, so their offsets can be shown as file bytes. */
function addMemberPlacements(scan: FileScan): void {
  const pointed = new Set(scan.findings.map((f) => f.location.path.join('\n')));
  for (const [key, member] of scan.members) {
    if (!pointed.has(key)) continue;
    const { fileOffset, size } = member;
    scan.inspected.add({ kind: 'member', fileOffset, size }, member.path, 'scan');
  }
}
