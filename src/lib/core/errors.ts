/**
 * An error whose `code` says which failure it is (the sigstore-js pattern): one subclass per area with a union
 * of codes, instead of a class per failure. `name` is the area's, so it survives a worker boundary.
 */
export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: ErrorOptions
  ) {
    super(message, options);
  }
}
