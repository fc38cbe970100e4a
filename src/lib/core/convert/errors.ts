/** Why extraction or conversion stopped: the input is not converted (nothing partial is kept). */
export class ConvertError extends Error {
  constructor(
    message: string,
    /** Byte offset in the stream or file the problem was found at, when there is one. */
    readonly offset?: number
  ) {
    super(message);
    this.name = 'ConvertError';
  }
}
