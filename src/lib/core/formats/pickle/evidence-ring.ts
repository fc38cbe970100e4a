import type { DisassemblyLine } from '../../findings';
import { opcodeName } from './opcodes';

const RING = 16;
const WINDOW_BEFORE = 8;
const WINDOW_AFTER = 3;

interface Window {
  lines: DisassemblyLine[];
  at: number;
}

/**
 * The last opcodes the machine analysed (offset, opcode, argument), kept for evidence: the disassembly shown
 * with a finding comes from here, so nothing is read twice. Windows opened at an opcode are filled in once the
 * next few opcodes have been seen.
 */
export class EvidenceRing {
  /** Opcodes counted so far. The machine counts before it checks its limit, so this can run one ahead. */
  count = 0;
  private readonly offsets: number[] = new Array(RING).fill(0);
  private readonly codes: number[] = new Array(RING).fill(0);
  private readonly args: unknown[] = new Array(RING).fill(undefined);
  private windows: Window[] = [];

  /** Records the opcode just counted, and completes the windows that have seen enough opcodes after theirs. */
  record(offset: number, code: number): void {
    const r = (this.count - 1) % RING;
    this.offsets[r] = offset;
    this.codes[r] = code;
    this.args[r] = undefined;
    if (this.windows.length > 0) this.extendWindows();
  }

  /** The current opcode's operand, as shown in the disassembly. */
  setArg(v: unknown): void {
    this.args[(this.count - 1) % RING] = v;
  }

  /** The current opcode's name. */
  currentName(): string {
    return opcodeName(this.codes[(this.count - 1) % RING]);
  }

  /** The last `lines` opcodes analysed (oldest first). */
  recent(lines = WINDOW_BEFORE): DisassemblyLine[] {
    const out: DisassemblyLine[] = [];
    for (let c = Math.max(1, this.count - Math.min(lines, RING) + 1); c <= this.count; c++) {
      out.push(this.line((c - 1) % RING));
    }
    return out;
  }

  /** Starts an evidence window around the current opcode; its lines arrive as the following opcodes do. */
  openWindow(): DisassemblyLine[] {
    const w: Window = { lines: [], at: this.count };
    this.windows.push(w);
    return w.lines;
  }

  /** Completes the windows still waiting for following opcodes (at the end of the analysis). */
  flush(): void {
    for (const w of this.windows) this.fill(w, this.count);
    this.windows = [];
  }

  private line(i: number): DisassemblyLine {
    const arg = this.args[i];
    const line: DisassemblyLine = { offset: this.offsets[i], opcode: opcodeName(this.codes[i]) };
    if (arg !== undefined) line.arg = formatArg(arg);
    return line;
  }

  private fill(w: Window, upto: number): void {
    const first = Math.max(1, w.at - WINDOW_BEFORE + 1, upto - RING + 1);
    for (let c = first; c <= upto; c++) w.lines.push(this.line((c - 1) % RING));
  }

  private extendWindows(): void {
    const done = this.windows.filter((w) => this.count - w.at > WINDOW_AFTER);
    if (done.length === 0) return;
    for (const w of done) this.fill(w, this.count - 1);
    this.windows = this.windows.filter((w) => this.count - w.at <= WINDOW_AFTER);
  }
}

function formatArg(arg: unknown): string {
  if (typeof arg === 'string') return JSON.stringify(arg.length > 120 ? `${arg.slice(0, 119)}…` : arg);
  return String(arg);
}
