import { shorten } from '../../findings';
import type { ScanContext } from '../types';
import type { PickleAnalysis, PickleScanOptions } from './analyse';
import { describeCategory } from './policy';
import type { PickleStop } from './machine';
import type { ImportRecord } from './values';

const LOAD_ADVICE =
  'Do not load it with pickle, joblib, torch.load(weights_only=False) or any loader that unpickles.';

function qualified(rec: ImportRecord): string {
  return shorten(`${rec.module}.${rec.name}`, 160);
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
  if (rec.written) details.writtenAs = shorten(rec.written, 160);
  if (rec.cls.category) details.category = rec.cls.category;
  return {
    opcode: rec.opcode,
    module: shorten(rec.module, 160),
    name: shorten(rec.name, 160),
    disassembly: rec.disassembly.slice(0, 12),
    details
  };
}

function reportDangerous(rec: ImportRecord, ctx: ScanContext): void {
  const category = rec.cls.category ?? 'import';
  const { title, what } = describeCategory(category);
  const used = rec.called || rec.passed;
  const name = qualified(rec);
  const critical = rec.cls.level === 'critical' && used;
  const how = rec.called
    ? `calls ${name} (through ${rec.callOpcode} at offset ${rec.callOffset})`
    : `hands ${name} to another call that can invoke it`;
  ctx.report({
    ruleId: critical ? 'pickle.call.dangerous' : 'pickle.import.dangerous',
    severity: critical ? 'critical' : 'high',
    title: critical ? `${title}: ${name}` : `Imports a dangerous callable: ${name}`,
    message: critical
      ? `Loading this file ${how}, which ${what}. ${LOAD_ADVICE}`
      : `The pickle imports ${name}, which ${what}.${used ? ` It also ${how}.` : ' This stream does not call it itself, but importing runs module code and the object lands in the loaded data, where the application may call it.'} No ordinary model needs it. ${LOAD_ADVICE}`,
    offset: rec.offset,
    evidence: importEvidence(rec)
  });
}

function reportDynamic(rec: ImportRecord, ctx: ScanContext): void {
  const used = rec.called || rec.passed;
  ctx.report({
    ruleId: 'pickle.import.dynamic',
    severity: used ? 'critical' : 'high',
    title: used
      ? 'Calls a callable whose name is computed while loading'
      : 'Imports a name computed while loading',
    message: `STACK_GLOBAL at offset ${rec.offset} takes its module and name (${qualified(rec)}, "?" = unknown) from values produced while loading — results of calls or attributes changed earlier — so what it imports cannot be known without running the file.${used ? ' The result is then called.' : ''} Ordinary picklers never do this; it is a known way to hide names such as builtins.eval. ${LOAD_ADVICE}`,
    offset: rec.offset,
    evidence: importEvidence(rec)
  });
}

function reportUnknown(recs: ImportRecord[], ctx: ScanContext): void {
  const first = recs.reduce((a, b) => (b.offset < a.offset ? b : a));
  const listed = recs.slice(0, 50).map((r) => `${qualified(r)}${r.count > 1 ? ` ×${r.count}` : ''}`);
  ctx.report({
    ruleId: 'pickle.import.unknown',
    severity: 'medium',
    title: `Not loadable safely: imports ${recs.length} name${recs.length > 1 ? 's' : ''} outside the safe set`,
    message: `Loading this file imports ${listed.slice(0, 5).join(', ')}${recs.length > 5 ? ', …' : ''}. These are not on the safe list (what torch.load(weights_only=True) accepts, NumPy arrays, plain containers). Each import runs that library's code, and a class can do anything in its constructor or __setstate__. Load it only if you trust its source and have those libraries, or convert it to a weights-only format.`,
    offset: first.offset,
    evidence: {
      opcode: first.opcode,
      imports: listed,
      disassembly: first.disassembly.slice(0, 12),
      details: { distinct: recs.length, occurrences: recs.reduce((n, r) => n + r.count, 0) }
    }
  });
}

function reportExtension(rec: ImportRecord, ctx: ScanContext): void {
  ctx.report({
    ruleId: 'pickle.import.extension',
    severity: 'medium',
    title: `Imports through the copyreg extension registry (${rec.name})`,
    message: `${rec.opcode} at offset ${rec.offset} asks the loader for whatever object is registered under extension ${rec.name} in copyreg. That registry is filled by the loading program, so what gets imported cannot be known from the file; with nothing registered the load fails. Treat it as an import of an unknown callable.`,
    offset: rec.offset,
    evidence: importEvidence(rec)
  });
}

/** Turns the analysis into findings: one per distinct dangerous import, one summary for the rest. */
export function reportPickleAnalysis(a: PickleAnalysis, ctx: ScanContext, opts: PickleScanOptions): void {
  const m = a.machine;
  const unknown: ImportRecord[] = [];
  for (const rec of m.records.values()) {
    if (rec.kind === 'dynamic') reportDynamic(rec, ctx);
    else if (rec.kind === 'extension') reportExtension(rec, ctx);
    else if (rec.cls.level === 'critical' || rec.cls.level === 'high') reportDangerous(rec, ctx);
    else if (rec.cls.level === 'unknown') unknown.push(rec);
  }
  if (unknown.length > 0) reportUnknown(unknown, ctx);

  const tampered = new Map<ImportRecord, number>();
  for (const t of m.moduleTampering) if (!tampered.has(t.rec)) tampered.set(t.rec, t.offset);
  for (const [rec, offset] of tampered) {
    ctx.report({
      ruleId: 'pickle.build.global',
      severity: 'critical',
      title: `Overwrites attributes of an imported object: ${qualified(rec)}`,
      message: `BUILD at offset ${offset} sets attributes directly on ${qualified(rec)} — a module, class or function — instead of on a new object. Anything that later looks those names up (including this pickle's own imports) gets the attacker's values; it is a known way to smuggle builtins.eval past scanners. ${LOAD_ADVICE}`,
      offset,
      evidence: {
        opcode: 'BUILD',
        module: rec.module,
        name: rec.name,
        disassembly: rec.disassembly.slice(0, 12)
      }
    });
  }

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
