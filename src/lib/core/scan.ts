import type { ByteSource } from './bytes/byte-source';
import { throwIfAborted, isAbortError } from './cancel';
import { maxVerdict, shorten, type Finding, type FileReport, type Verdict } from './findings';
import { FORMATS, readAsPickle } from './formats';
import { namedAsModel } from './formats/model-names';
import type { FileStreamOutcome, PickleScanOptions } from './formats/pickle';
import {
  REJECTED,
  type FileReference,
  type FindingInput,
  type FormatScanner,
  type MemberRole,
  type Probe,
  type ScanContext
} from './formats/types';
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

/** Where a format's findings go: straight into the report, or held until it is known whether it identified the file. */
interface Sink {
  add(finding: Finding): void;
  markIncomplete(): void;
}

/**
 * A format's findings until it is known whether it identified the file: kept back while its scan might still
 * reject the bytes, then passed on. Once the format hands a member to the registry it can no longer reject,
 * so from then on its findings go straight through (and stay in order with the members').
 */
class Held implements Sink {
  private readonly findings: Finding[] = [];
  private incomplete = false;
  private passing = false;
  private dropped = 0;
  private worstDropped: Verdict = 'clean';

  constructor(private readonly scan: FileScan) {}

  get reported(): boolean {
    return this.findings.length + this.dropped > 0;
  }

  add(finding: Finding): void {
    if (this.passing) this.scan.add(finding);
    else if (this.findings.length < this.scan.limits.maxFindings) this.findings.push(finding);
    else {
      this.dropped++;
      this.worstDropped = maxVerdict(this.worstDropped, finding.severity);
    }
  }

  markIncomplete(): void {
    if (this.passing) this.scan.markIncomplete();
    else this.incomplete = true;
  }

  /** Passes on what was kept back, and everything after it. */
  release(): void {
    if (this.passing) return;
    this.passing = true;
    for (const f of this.findings) this.scan.add(f);
    this.scan.countDropped(this.dropped, this.worstDropped);
    if (this.incomplete) this.scan.markIncomplete();
  }

  get released(): boolean {
    return this.passing;
  }
}

/** One source (the file, or a member of it) being dispatched: what it is and what has been read of it. */
interface Subject {
  src: ByteSource;
  probe: Probe;
  path: string[];
  depth: number;
  role: MemberRole;
  expectsModel: boolean;
  /** The one pickle reading of this source, once something asked for it. */
  pickle?: Promise<FileStreamOutcome>;
  /** Where the members handed to the registry so far lie in this source, as [start, end). */
  handedOut: [number, number][];
}

class FileScan implements Sink {
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

  markIncomplete(): void {
    this.complete = false;
  }

  countDropped(count: number, worst: Verdict): void {
    this.dropped += count;
    this.verdict = maxVerdict(this.verdict, worst);
  }

  /**
   * Every format whose sniff matches scans the source; then the source is read as a pickle stream (unless a
   * pickle dialect already did, or the container says its bytes are never parsed). A source that nothing
   * identifies gets a finding: it is never silently absent from the report.
   */
  async scanSource(src: ByteSource, path: string[], depth: number, role: MemberRole): Promise<void> {
    throwIfAborted(this.signal);
    let probe: Probe;
    try {
      probe = await probeSource(src);
    } catch (err) {
      this.failed(err, path, 'scan', this);
      return;
    }
    const name = path[path.length - 1] ?? src.name;
    const subject: Subject = {
      src,
      probe,
      path,
      depth,
      role,
      expectsModel: role === 'model' || (role === 'content' && namedAsModel(name)),
      handedOut: []
    };
    if (depth > 0 && src.fileOffset !== undefined && this.members.size < 10_000) {
      this.members.set(path.join('\n'), { path, fileOffset: src.fileOffset, size: src.size });
    }
    let identified = false;
    const held: Held[] = [];
    for (const format of this.registry) {
      const found = format.sniff(probe);
      if (!found) continue;
      const sink = new Held(this);
      let claim: Awaited<ReturnType<FormatScanner['scan']>>;
      try {
        claim = await format.scan(src, this.context(format.id, subject, sink), probe, found);
      } catch (err) {
        claim = undefined;
        this.failed(err, path, format.id, sink);
      }
      // Rejecting is only possible before any member was scanned (then the findings are already out).
      if (claim === REJECTED && !sink.released) {
        held.push(sink);
        continue;
      }
      sink.release();
      this.formats.add(format.id);
      identified = true;
    }
    if (role === 'raw') return;
    if (identified) {
      await this.readAsPickle(subject, this.context('pickle', subject, this), true);
      return;
    }
    const stream = await this.readAsPickle(subject, this.context('pickle', subject, this), false);
    if (stream.isPickle) {
      // Only the start of a pickle: what the rejecting formats saw may explain it better (a cut bzip2 stream).
      if (stream.result.pickles === 0) for (const sink of held) sink.release();
      return;
    }
    if (probe.size === 0) return this.empty(subject);
    if (subject.expectsModel) this.complete = false;
    const explained = held.some((sink) => sink.reported);
    for (const sink of held) sink.release();
    if (!explained) this.unrecognised(subject);
  }

  /** Zero bytes: fully read, nothing a loader could run (hub caches keep empty `.no_exist` markers). */
  private empty(subject: Subject): void {
    this.add({
      ruleId: 'scan.empty',
      severity: 'info',
      title: 'Empty',
      message: `${subject.depth === 0 ? 'This file' : 'This member'} has no content: a loader reading it fails at once.`,
      format: 'unknown',
      location: { path: subject.path },
      evidence: {}
    });
  }

  private readAsPickle(
    subject: Subject,
    ctx: ScanContext,
    identified: boolean,
    opts?: PickleScanOptions
  ): Promise<FileStreamOutcome> {
    subject.pickle ??= readAsPickle(subject.src, ctx, subject.probe.head, identified, opts).then(
      (outcome) => {
        if (outcome.isPickle) this.formats.add('pickle');
        return outcome;
      }
    );
    return subject.pickle;
  }

  /**
   * Neither a format Safeload knows nor a pickle (and no format that looked at it said why). Plain data (a
   * README) is info; where the name or the container says model data, nothing vouches for what a loader does
   * with it: medium (and the report is incomplete).
   */
  private unrecognised(subject: Subject): void {
    const { probe, path, depth, expectsModel } = subject;
    const where = depth === 0 ? 'this file' : 'this member';
    this.add({
      ruleId: 'scan.unrecognized',
      severity: expectsModel ? 'medium' : 'info',
      title: expectsModel
        ? 'Named as model data, but no model format or pickle recognised'
        : 'No model format recognised',
      message: expectsModel
        ? `The name or container says ${where} holds model data, yet it is no format Safeload analyses and no well-formed pickle. Whatever loader reads it was not checked, so it is not known to be safe.`
        : `Safeload hashed ${where} but found no format it analyses (pickle, PyTorch, NumPy, archives, …) and it is no pickle, so it says nothing about what else might read it.`,
      format: 'unknown',
      location: { path },
      evidence: { excerpt: shorten(new TextDecoder('latin1').decode(probe.head.subarray(0, 32)), 48) }
    });
  }

  private failed(err: unknown, path: string[], format: string, sink: Sink): void {
    if (isAbortError(err)) throw err;
    sink.markIncomplete();
    const truncated = err instanceof TruncatedError;
    sink.add({
      ruleId: truncated ? 'scan.truncated' : 'scan.error',
      severity: 'medium',
      title: truncated ? 'File ends early: analysis incomplete' : 'Could not analyse this part of the file',
      message: `${truncated ? 'The data ends before the structure does' : 'The analyser stopped with an error'}: ${shorten(String((err as Error)?.message ?? err), 300)}. Whatever follows was not checked, so this file is not known to be safe.`,
      format,
      location: { path, offset: truncated ? err.offset : undefined },
      evidence: {}
    });
  }

  private context(format: string, subject: Subject, sink: Sink): ScanContext {
    // The context's methods need both the scan and, in scanNested, the context itself as `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const scan = this;
    const { path, depth } = subject;
    return {
      path,
      depth,
      limits: this.limits,
      signal: this.signal,
      expectsModel: subject.expectsModel,
      report(f: FindingInput) {
        sink.add({
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
        sink.markIncomplete();
        sink.add({
          ruleId: 'scan.incomplete',
          severity: 'medium',
          title: 'Analysis incomplete',
          message: `${reason} The part that was not analysed could hide anything, so this file is not known to be safe.`,
          format,
          location: { path, offset },
          evidence: evidence ?? {}
        });
      },
      async scanNested(member, memberName, role = 'content') {
        if (sink instanceof Held) sink.release();
        const childPath = [...path, memberName];
        const at = placeWithin(member, subject.src);
        if (at !== undefined && subject.handedOut.length < scan.limits.maxArchiveEntries) {
          subject.handedOut.push([at, at + member.size]);
        }
        if (depth + 1 > scan.limits.maxDepth) {
          this.incomplete(
            `Nesting deeper than ${scan.limits.maxDepth} levels was not followed (${shorten(memberName, 80)}).`
          );
          return;
        }
        await scan.scanSource(member, childPath, depth + 1, role);
      },
      async analysePickle(opts) {
        return (await scan.readAsPickle(subject, this, false, opts)).result;
      },
      heldByMember(start, end) {
        return subject.handedOut.some(([from, to]) => from <= start && end <= to);
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

/** Where `member` starts in `parent` when it is a window of the same bytes, else undefined. */
function placeWithin(member: ByteSource, parent: ByteSource): number | undefined {
  const inner = member.origin;
  const outer = parent.origin;
  if (!inner || !outer || inner.of !== outer.of) return undefined;
  const at = inner.offset - outer.offset;
  return at >= 0 && at + member.size <= parent.size ? at : undefined;
}

/** Scans one file (any format the registry knows) and returns its report, without digests. */
export async function scanSource(src: ByteSource, options: ScanOptions = {}): Promise<FileReport> {
  const started = Date.now();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const scan = new FileScan(limits, options.formats ?? FORMATS, options.signal);
  await scan.scanSource(src, [src.name], 0, 'content');
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
