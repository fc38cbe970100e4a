import { CodedError } from '../errors';

export type DepsErrorCode =
  /** A requirement line that is not PEP 508. */
  | 'REQUIREMENT_SYNTAX'
  /** An OSV record that does not follow the OSV schema. */
  | 'OSV_RECORD_INVALID'
  /** The OSV API could not be reached or answered wrongly. */
  | 'OSV_API';

/** A dependency-audit failure. */
export class DepsError extends CodedError<DepsErrorCode> {
  override readonly name = 'DepsError';

  constructor(
    code: DepsErrorCode,
    message: string,
    /** The HTTP status of an OSV answer, when there was one. */
    readonly status?: number
  ) {
    super(code, message);
  }
}
