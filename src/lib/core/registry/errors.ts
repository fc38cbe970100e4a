import { CodedError } from '../errors';

export type RegistryImportErrorCode =
  /** The file, or its list of records, is larger than an export may be. */
  | 'REGISTRY_TOO_LARGE'
  /** The file is not JSON, or not a JSON object. */
  | 'REGISTRY_SYNTAX'
  /** Not a Safeload registry export, or one of a format version this one does not read. */
  | 'REGISTRY_FORMAT'
  /** A field of the export or of a record does not follow the schema (`path` says which). */
  | 'REGISTRY_INVALID'
  /** A name@version appears twice. */
  | 'REGISTRY_DUPLICATE'
  /** The file could not be read at all (only in a read result: readRegistryFile). */
  | 'REGISTRY_UNREADABLE';

/** A registry export that cannot be imported; the message names the field and what is wrong with it. */
export class RegistryImportError extends CodedError<RegistryImportErrorCode> {
  override readonly name = 'RegistryImportError';

  constructor(
    code: RegistryImportErrorCode,
    /** Where in the export: "the file", "records[3].findings[0].severity", … */
    readonly path: string,
    what: string
  ) {
    super(code, `Not a valid Safeload registry export: ${path} ${what}.`);
  }
}
