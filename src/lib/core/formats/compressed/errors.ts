import { CodedError } from '../../errors';

export type DecompressErrorCode =
  /** The bzip2 stream is damaged or cut short. */
  | 'BZIP2_CORRUPT'
  /** The LZMA stream is damaged or cut short. */
  | 'LZMA_CORRUPT'
  /** The LZMA output would pass the limit: a bomb, or more than Safeload decompresses. */
  | 'LZMA_LIMIT';

/** A decoder stopped: corrupt data, or the output limit. */
export class DecompressError extends CodedError<DecompressErrorCode> {
  override readonly name = 'DecompressError';

  constructor(
    code: DecompressErrorCode,
    message: string,
    /** Bytes decoded when it stopped (LZMA_LIMIT). */
    readonly produced = 0
  ) {
    super(code, message);
  }
}
