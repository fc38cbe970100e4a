import { terminalLines } from '../core/report/escape';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** The exit-code contract of every command. */
export const EXIT = { ok: 0, fail: 1, usage: 2 } as const;

/**
 * The last line of defence for everything the CLI prints: display controls that no output means to send
 * (ANSI escapes, carriage returns, C1 controls, bidi overrides) are escaped; newlines and tabs stay. Each
 * output also escapes its own fields (`terminalText`), since only there is a newline known to be data.
 */
export function guardedIo(io: Io): Io {
  return { out: (text) => io.out(terminalLines(text)), err: (text) => io.err(terminalLines(text)) };
}
