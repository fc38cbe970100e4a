import { shorten, type DisassemblyLine } from '../../findings';
import type { ScanContext } from '../types';
import type { PickleAnalysis, PickleScanOptions } from './analyse';
import { inspectPickleImports } from './inspected';
import { describeMutation } from './machine';
import type { PickleStop } from './pickle-stop';
import { MAX_HIDDEN_DEPTH, MAX_HIDDEN_STAGES, type HiddenStage } from './hidden';
import { describeCapability, levelRank } from './policy';
import { effectiveLevel, type ImportRecord } from './values';

const LOAD_ADVICE =
  'Do not load it with pickle, joblib, torch.load(weights_only=False) or any loader that unpickles.';

function qualified(rec: ImportRecord): string {
  return shorten(`${rec.module}.${rec.name}`, 160);
}

/** The first call as it runs, with literal arguments when known: posix.system("cat ~/.aws/secrets"). */
function callText(rec: ImportRecord): string {
  return rec.firstArgs !== null ? `${qualified(rec)}(${rec.firstArgs})` : qualified(rec);
}

function importEvidence(rec: ImportRecord) {
  const details: Record<string, string | number | boolean> = {
    occurrences: rec.count,
    called: rec.called,
    passedToACall: rec.passed
  };
  if (rec.called) {
    details.calledVia = rec.callOpcode;
    details.callOffset = rec.callOffset;
    details.calls = rec.calls;
  }
  if (rec.firstArgs !== null) details.call = shorten(callText(rec), 240);
  if (rec.written) details.writtenAs = shorten(rec.written, 160);
  if (rec.cls.capability) details.category = rec.cls.capability;
  if (rec.cls.source) details.capabilitySource = rec.cls.source;
  if (rec.viaExtension !== undefined) details.extensionCode = rec.viaExtension;
  return {
    opcode: rec.opcode,
    module: shorten(rec.module, 160),
    name: shorten(rec.name, 160),
    disassembly: rec.disassembly.slice(0, 12),
    details
  };
}

function reportDangerous(rec: ImportRecord, ctx: ScanContext): void {
  const capability = rec.cls.capability ?? 'import';
  const { title, what } = describeCapability(capability);
  const used = rec.called || rec.passed;
  const name = qualified(rec);
  const critical = effectiveLevel(rec) === 'critical';
  const how = rec.called
    ? `calls ${callText(rec)} (${rec.callOpcode} at offset ${rec.callOffset})`
    : `hands ${name} to another call that can invoke it`;
  const via =
    rec.viaExtension !== undefined
      ? ` It reaches it through extension code ${rec.viaExtension}, which the stream itself registered with copyreg.`
      : '';
  ctx.report({
    ruleId: critical ? 'pickle.call.dangerous' : 'pickle.import.dangerous',
    severity: critical ? 'critical' : 'high',
    title: critical ? `${title}: ${shorten(callText(rec), 200)}` : `Imports a dangerous callable: ${name}`,
    message: critical
      ? `Loading this file ${how}, which ${what}.${via} ${LOAD_ADVICE}`
      : `Loading this file imports ${name}, which ${what}.${used ? ` It also ${how}.` : ' The stream does not call it, but the object lands in the loaded data, where the application may call it.'}${via} No ordinary model needs it. ${LOAD_ADVICE}`,
    offset: rec.offset,
    evidence: importEvidence(rec)
  });
}

/** A dynamic import in words: the machine writes "?" for an operand computed at load time. */
function dynamicName(rec: ImportRecord): string {
  const part = (text: string, what: string) =>
    text === '?' ? `${what} computed at load time` : `${what} "${shorten(text, 80)}"`;
  return `${part(rec.module, 'module')}, ${part(rec.name, 'name')}`;
}

function reportDynamic(rec: ImportRecord, ctx: ScanContext): void {
  const used = rec.called || rec.passed;
  ctx.report({
    ruleId: 'pickle.import.dynamic',
    severity: used ? 'critical' : 'high',
    title: used
      ? 'Calls a callable whose name is computed while loading'
      : 'Imports a name computed while loading',
    message: `STACK_GLOBAL at offset ${rec.offset} takes its module and name (${dynamicName(rec)}) from values produced while loading — results of calls or attributes changed earlier — so what it imports cannot be known without running the file.${used ? ' The result is then called.' : ''} Ordinary picklers never do this; it is a known way to hide names such as builtins.eval. ${LOAD_ADVICE}`,
    offset: rec.offset,
    evidence: importEvidence(rec)
  });
}

function reportUnknown(recs: ImportRecord[], ctx: ScanContext): void {
  const first = recs.reduce((a, b) => (b.offset < a.offset ? b : a));
  const listed = recs.slice(0, 50).map((r) => `${qualified(r)}${r.count > 1 ? ` ×${r.count}` : ''}`);
  const inert = recs.filter((r) => r.cls.capability === 'inert').map(qualified);
  const constructs =
    inert.length > 0
      ? ` ${inert.length === recs.length ? 'All of them' : `${inert.length} of them (${inert.slice(0, 3).join(', ')}${inert.length > 3 ? ', …' : ''})`} only construct values and touch nothing else, so they are not dangerous in themselves; torch.load(weights_only=True) still refuses them.`
      : '';
  ctx.report({
    ruleId: 'pickle.import.unknown',
    severity: 'medium',
    title: `Not loadable safely: imports ${recs.length} name${recs.length > 1 ? 's' : ''} outside the safe set`,
    message: `Loading this file imports ${listed.slice(0, 5).join(', ')}${recs.length > 5 ? ', …' : ''}. These are not on the safe list (what torch.load(weights_only=True) accepts, NumPy arrays, plain containers).${constructs} Each import runs that library's code, and an unknown class can do anything in its constructor or __setstate__. Load it only if you trust its source and have those libraries, or convert it to a weights-only format.`,
    offset: first.offset,
    evidence: {
      opcode: first.opcode,
      imports: listed,
      disassembly: first.disassembly.slice(0, 12),
      details: {
        distinct: recs.length,
        occurrences: recs.reduce((n, r) => n + r.count, 0),
        constructsOnly: inert.length
      }
    }
  });
}

function reportExtension(rec: ImportRecord, ctx: ScanContext): void {
  const blind = rec.cls.level === 'high';
  ctx.report({
    ruleId: 'pickle.import.extension',
    severity: blind ? 'high' : 'medium',
    title: `Imports through the copyreg extension registry (${rec.name})`,
    message: blind
      ? `${rec.opcode} at offset ${rec.offset} asks the loader for the object registered under extension ${rec.name}, after this stream changed the copyreg registry with values that cannot be read statically: it imports whatever the stream put there. ${LOAD_ADVICE}`
      : `${rec.opcode} at offset ${rec.offset} asks the loader for the object registered under extension ${rec.name} in copyreg. Nothing in this stream registers that code, and the standard library registers none, so only the loading program could have; otherwise the load fails there. Treat it as an import of an unknown callable.`,
    offset: rec.offset,
    evidence: importEvidence(rec)
  });
}

function reportMutation(rec: ImportRecord, ctx: ScanContext): void {
  const m = rec.mutations[0];
  const what = describeMutation(rec);
  const build = m.opcode === 'BUILD';
  ctx.report({
    ruleId: build ? 'pickle.build.global' : 'pickle.mutate.global',
    severity: 'critical',
    title: `Changes an imported object while loading: ${shorten(what, 200)}`,
    message: `${m.opcode} at offset ${m.offset} ${shorten(what, 240)}: it changes ${qualified(rec)} itself (a module, class or shared object of the running process), not a new object. Everything that later uses it — the import path, the environment, the module table, this pickle's own later imports — sees the attacker's values. ${LOAD_ADVICE}`,
    offset: m.offset,
    evidence: {
      opcode: m.opcode,
      module: shorten(rec.module, 160),
      name: shorten(rec.name, 160),
      disassembly: rec.disassembly.slice(0, 12),
      details: {
        changes: rec.mutations.length,
        ...(rec.cls.capability ? { category: rec.cls.capability } : {})
      }
    }
  });
}

function reportPayload(rec: ImportRecord, ctx: ScanContext): void {
  if (rec.stage)
    reportHiddenStage(ctx, rec.stage, { decodedBy: rec.decodedBy, disassembly: rec.disassembly });
}

/**
 * One finding per embedded pickle: medium (high when the file's own code unpickles it), with what the
 * embedded stage would import and call. `container` names where it sits when it is not a pickle value
 * (e.g. an HDF5 dataset).
 */
export function reportHiddenStage(
  ctx: ScanContext,
  stage: HiddenStage,
  opts: { decodedBy?: string; disassembly?: DisassemblyLine[]; container?: string } = {}
): void {
  const top = [...stage.imports].sort(
    (a, b) => levelRank(b.level) - levelRank(a.level) || Number(b.called) - Number(a.called)
  )[0];
  const unread = !top && stage.mutations.length === 0 && stage.stop !== undefined;
  const does = stage.mutations[0]
    ? stage.mutations[0]
    : top
      ? `${top.called ? 'call' : 'import'} ${shorten(top.call ?? top.path, 160)}`
      : unread
        ? `do something Safeload could not see (${shorten(stage.stop ?? '', 120)})`
        : 'unpickle another hidden pickle (reported separately)';
  const severity = opts.decodedBy
    ? 'high'
    : unread || levelRank(stage.worst) >= levelRank('unknown')
      ? 'medium'
      : 'low';
  const where = `${opts.container ? `${opts.container}, ` : ''}${stage.encoding}, ${stage.length} bytes, at offset ${stage.offset}${stage.depth > 1 ? `, ${stage.depth} stages deep` : ''}`;
  ctx.report({
    ruleId: 'pickle.hidden-payload',
    severity,
    title: `Hidden pickle payload (${stage.encoding}): would ${shorten(does, 160)}`,
    message: opts.decodedBy
      ? `A value in this file (${where}) is itself a pickle, and this file's own pickle hands it to ${shorten(opts.decodedBy, 80)}, so loading the file unpickles it too: it would ${shorten(does, 200)}. ${LOAD_ADVICE}`
      : `A value in this file (${where}) is itself a pickle. Loading the file only keeps it as data, but any code that unpickles that value would ${shorten(does, 200)}. Nothing ordinary stores pickles inside model data; treat the file as a carrier.`,
    offset: stage.offset,
    evidence: {
      imports: stage.imports
        .slice(0, 50)
        .map((i) => shorten(`${i.call ?? i.path}${i.called ? '' : ' (imported)'}`, 200)),
      disassembly: opts.disassembly?.slice(0, 12),
      details: {
        encoding: stage.encoding,
        encodedBytes: stage.length,
        depth: stage.depth,
        ifUnpickled: stage.worst,
        ...(opts.container ? { container: shorten(opts.container, 160) } : {}),
        ...(opts.decodedBy ? { decodedBy: shorten(opts.decodedBy, 120) } : {}),
        ...(stage.mutations.length > 0 ? { mutations: stage.mutations.length } : {}),
        ...(stage.stop ? { stoppedAt: shorten(stage.stop, 160) } : {})
      }
    }
  });
}

function reportHiddenSkipped(count: number, ctx: ScanContext): void {
  ctx.report({
    ruleId: 'pickle.hidden-payload.limit',
    severity: 'medium',
    title: `${count} more hidden pickle${count === 1 ? '' : 's'} not analysed`,
    message: `This file holds more embedded pickles than Safeload analyses (${MAX_HIDDEN_STAGES} per file, ${MAX_HIDDEN_DEPTH} levels deep); ${count} were found and not analysed. The loader keeps them as data, but they could hide anything from code that unpickles them.`,
    evidence: { details: { notAnalysed: count } }
  });
}

/** Turns the analysis into findings: one per distinct dangerous import, one summary for the rest. */
export function reportPickleAnalysis(a: PickleAnalysis, ctx: ScanContext, opts: PickleScanOptions): void {
  const m = a.machine;
  inspectPickleImports(m, ctx);
  const unknown: ImportRecord[] = [];
  for (const rec of m.records.values()) {
    const level = effectiveLevel(rec);
    const onlyMutated = rec.mutations.length > 0 && !rec.called && !rec.passed;
    if (rec.kind === 'dynamic') reportDynamic(rec, ctx);
    else if (rec.kind === 'extension') reportExtension(rec, ctx);
    else if (onlyMutated) continue;
    else if (level === 'critical' || level === 'high') reportDangerous(rec, ctx);
    else if (level === 'unknown') unknown.push(rec);
  }
  if (unknown.length > 0) reportUnknown(unknown, ctx);
  for (const rec of m.mutated) reportMutation(rec, ctx);
  for (const rec of m.payloads) reportPayload(rec, ctx);
  if (m.depth === 0 && m.hiddenSkipped > 0) reportHiddenSkipped(m.hiddenSkipped, ctx);

  if (m.frameIssues.length > 0) {
    const first = m.frameIssues[0];
    ctx.report({
      ruleId: 'pickle.frame-mismatch',
      severity: 'high',
      title: 'Frame lengths do not match the opcodes (parser-differential trick)',
      message: `FRAME opcodes declare lengths that disagree with the opcodes inside them: ${first.reason}. Picklers never write this. CPython's C and Python unpicklers read such a stream differently, a trick used to show scanners different content than the loader runs. Safeload analysed every opcode the way the C unpickler executes them.`,
      offset: first.offset,
      evidence: {
        opcode: 'FRAME',
        details: {
          mismatches: m.frameIssues.length,
          ...Object.fromEntries(
            m.frameIssues.slice(1, 4).map((f, i) => [`also${i + 1}`, `${f.offset}: ${f.reason}`])
          )
        }
      }
    });
  }

  if (a.stop) reportStop(a, ctx);

  if (a.trailingAt >= 0 && opts.trailing !== 'ignore') {
    ctx.report({
      ruleId: 'pickle.trailing-data',
      severity: 'low',
      title: `Data after the last pickle (${m.cur.size - a.trailingAt} bytes)`,
      message: `After the last STOP opcode, ${m.cur.size - a.trailingAt} bytes follow at offset ${a.trailingAt} that do not start another pickle. pickle.load ignores them, but they may be a second format hidden in the same file (a polyglot) or leftover data.`,
      offset: a.trailingAt,
      evidence: { details: { trailingBytes: m.cur.size - a.trailingAt, pickles: m.pickles } }
    });
  }
}

const STOPS = {
  limit: {
    rule: 'pickle.limit',
    title: (s: PickleStop) => `Pickle analysis limit reached: ${s.message}`,
    message: (s: PickleStop) =>
      `Analysis stopped at offset ${s.offset} because ${s.message} (a safety bound no ordinary file reaches). A loader would go on: what follows was not checked.`
  },
  truncated: {
    rule: 'pickle.truncated',
    title: (s: PickleStop) => `Truncated — not fully analysed (the data ends at offset ${s.offset})`,
    message: (s: PickleStop) =>
      `The pickle is cut short at offset ${s.offset}: ${s.message}, as after an interrupted download or copy. A loader runs every opcode before this point (anything reported above) and then fails; whatever the full file holds after it was never seen.`
  },
  malformed: {
    rule: 'pickle.malformed',
    title: (s: PickleStop) => `Malformed pickle at offset ${s.offset}`,
    message: (s: PickleStop) =>
      `The pickle breaks at offset ${s.offset}: ${s.message}. A loader executes every opcode before this point (anything reported above still runs) and then fails; bytes after it were not analysed.`
  }
} as const;

/** Why the analysis stopped before the stream's end: a medium finding, and the report is incomplete. */
function reportStop(a: PickleAnalysis, ctx: ScanContext): void {
  const s = a.stop!;
  const kind = STOPS[s.kind];
  ctx.report({
    ruleId: kind.rule,
    severity: 'medium',
    title: kind.title(s),
    message: kind.message(s),
    offset: s.offset,
    evidence: {
      disassembly: a.machine.recentDisassembly(12),
      details: { kind: s.kind, pickles: a.machine.pickles }
    }
  });
  ctx.incomplete(
    `The pickle stream could not be analysed past offset ${s.offset} (${shorten(s.message, 120)}).`,
    s.offset
  );
}
