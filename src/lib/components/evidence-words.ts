import { shorten, type Finding } from '../core/findings';
import { describeCapability, type Capability } from '../core/formats/pickle/policy';

/** Text a pickle finding writes for a STACK_GLOBAL operand computed while loading. */
const COMPUTED = '?';
const COMPUTED_WORDS = 'computed at load time';

/** "os.system"; a dynamic import's unknown parts said in words, never as "?". */
export function importWords(module: string | undefined, name: string | undefined, dynamic: boolean): string {
  if (!dynamic) return shorten(`${module ?? ''}.${name ?? ''}`, 200);
  const part = (text: string | undefined, what: string) =>
    text === undefined || text === COMPUTED ? `${what} ${COMPUTED_WORDS}` : `${what} ${shorten(text, 80)}`;
  return `${part(module, 'module')}, ${part(name, 'name')}`;
}

function isDynamic(finding: Finding): boolean {
  return finding.ruleId === 'pickle.import.dynamic';
}

/** A recorded call, "?.system()" for a dynamic import, with its unknown parts said in words. */
function callWords(call: string, dynamic: boolean): string {
  if (!dynamic) return shorten(call, 200);
  return shorten(
    call
      .replace(/^\?(?=\.)/, `(module ${COMPUTED_WORDS})`)
      .replace(/^([^(]*\.)\?(?=\()/, `$1(name ${COMPUTED_WORDS})`),
    200
  );
}

/** The title and words of a pickle capability (evidence key "category"); undefined for one not known here. */
export function categoryText(category: unknown): { title: string; what: string } | undefined {
  if (typeof category !== 'string') return undefined;
  try {
    return describeCapability(category as Capability);
  } catch {
    return undefined;
  }
}

function categoryWords(category: unknown): string | undefined {
  return categoryText(category)?.what;
}

/** How the file uses an import, from a pickle finding's details, as one sentence. */
function useWords(d: Record<string, string | number | boolean>): string | undefined {
  if (!('called' in d) && !('passedToACall' in d)) return undefined;
  if (d.called === true) {
    const times = typeof d.calls === 'number' && d.calls > 1 ? ` ${d.calls} times, first` : '';
    const via = d.calledVia ? ` through ${d.calledVia}` : '';
    const at = typeof d.callOffset === 'number' && d.callOffset >= 0 ? ` at offset ${d.callOffset}` : '';
    return `Called while loading${times}${via}${at}.`;
  }
  if (d.passedToACall === true)
    return 'Not called by the file itself, but handed to another call that can invoke it.';
  return 'Imported only: the file never calls it.';
}

/** Keys whose meaning is said in another row (the sentence about use). */
const FOLDED = new Set(['called', 'passedToACall', 'calledVia', 'callOffset', 'calls', 'category']);

const LABELS: Record<string, string> = {
  occurrences: 'Times imported',
  call: 'Call',
  capabilitySource: 'Rated from',
  extensionCode: 'Extension code',
  writtenAs: 'Written in the file as',
  distinct: 'Distinct names',
  pickles: 'Pickles in the stream',
  mismatches: 'Mismatches',
  trailingBytes: 'Bytes after the pickle',
  kind: 'Kind',
  irVersion: 'IR version'
};

/** "passedToACall" → "Passed to a call"; labels for keys no table names. */
export function keyWords(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return shorten(words.charAt(0).toUpperCase() + words.slice(1), 60);
}

function valueWords(value: string | number | boolean): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  return shorten(String(value), 200);
}

export interface EvidenceRow {
  label: string;
  value: string;
  mono?: boolean;
}

/** A finding's evidence as labelled rows in plain words (no raw internal field names). */
export function evidenceRows(finding: Finding): EvidenceRow[] {
  const ev = finding.evidence;
  const rows: EvidenceRow[] = [];
  if (ev.opcode) rows.push({ label: 'Opcode', value: shorten(ev.opcode, 40), mono: true });
  if (ev.module !== undefined || ev.name !== undefined) {
    rows.push({ label: 'Import', value: importWords(ev.module, ev.name, isDynamic(finding)), mono: true });
  }
  const details = ev.details ?? {};
  const use = useWords(details);
  if (use) rows.push({ label: 'Use', value: use });
  const what = categoryWords(details.category);
  if (what) rows.push({ label: 'What it can do', value: `It ${what}.` });
  if (ev.imports?.length) {
    rows.push({ label: 'Imports', value: shorten(ev.imports.slice(0, 50).join(', '), 600), mono: true });
  }
  for (const [key, value] of Object.entries(details).slice(0, 20)) {
    if (FOLDED.has(key)) continue;
    if (key === 'call' && typeof value === 'string') {
      rows.push({ label: 'Call', value: callWords(value, isDynamic(finding)), mono: true });
      continue;
    }
    rows.push({ label: keyWords(key), value: valueWords(value), mono: typeof value === 'string' });
  }
  return rows;
}

const STRING_OPCODES = new Set([
  'STRING',
  'BINSTRING',
  'SHORT_BINSTRING',
  'UNICODE',
  'BINUNICODE',
  'SHORT_BINUNICODE',
  'BINUNICODE8'
]);

/** String arguments the disassembly shows between the import and its call (what a payload is fed). */
function stringsNearCall(finding: Finding): string[] {
  const lines = finding.evidence.disassembly ?? [];
  const from = finding.location.offset ?? -1;
  const call = finding.evidence.details?.callOffset;
  const until = typeof call === 'number' && call > from ? call : Infinity;
  return lines
    .filter((l) => l.offset > from && l.offset < until && STRING_OPCODES.has(l.opcode) && l.arg)
    .slice(0, 2)
    .map((l) => shorten(l.arg!, 80));
}

/**
 * One line saying what loading would do, for a critical finding: the callable, its capability and the
 * strings it is fed; for other formats, the finding's title and the first line of its excerpt.
 */
export function payloadSummary(finding: Finding): string {
  const ev = finding.evidence;
  const details = ev.details ?? {};
  if (ev.module !== undefined || ev.name !== undefined) {
    const target = importWords(ev.module, ev.name, isDynamic(finding));
    const verb =
      details.called === true ? 'calls' : details.passedToACall === true ? 'hands over' : 'imports';
    const what = categoryWords(details.category);
    const it = what ? ` — it ${what}` : '';
    // The analysis writes the call with its literal arguments when it knows them, e.g. os.system('id').
    if (typeof details.call === 'string' && details.called === true) {
      return `Loading calls ${callWords(details.call, isDynamic(finding))}${it}.`;
    }
    const args = stringsNearCall(finding);
    return `Loading ${verb} ${target}${args.length ? ` with ${args.join(', ')}` : ''}${it}.`;
  }
  const excerpt = ev.excerpt
    ?.split('\n')
    .find((line) => line.trim())
    ?.trim();
  const names = ev.imports?.length ? ` (${shorten(ev.imports.slice(0, 3).join(', '), 120)})` : '';
  return `${shorten(finding.title, 160)}${names}${excerpt ? `: ${shorten(excerpt, 120)}` : ''}`;
}
