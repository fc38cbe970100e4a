export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** The exit-code contract of every command. */
export const EXIT = { ok: 0, fail: 1, usage: 2 } as const;
