import type { NotExecuted } from './unpickler';

/** Why extraction or conversion stopped: the input is not converted (nothing partial is kept). */
export class ConvertError extends Error {
  /** Calls the pickle had asked for (never executed) before extraction stopped, for the report. */
  notExecuted: NotExecuted[] = [];

  constructor(
    message: string,
    /** Byte offset in the stream or file the problem was found at, when there is one. */
    readonly offset?: number
  ) {
    super(message);
    this.name = 'ConvertError';
  }
}

/** Runs an extraction step; a ConvertError it throws carries the calls the unpickler had seen by then. */
export async function keepingCalls<T>(calls: Map<string, NotExecuted>, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof ConvertError && err.notExecuted.length === 0) err.notExecuted = [...calls.values()];
    throw err;
  }
}
