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

const MAX_CODE_LENGTH = 64;

/**
 * The `code` of an error that has one, whether a CodedError or one rebuilt from plain data on the far side of
 * a worker boundary (which keeps `name`, `message` and `code`, not the class): match on this, never on text.
 */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code.length <= MAX_CODE_LENGTH ? code : undefined;
}
