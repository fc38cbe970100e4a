import { CodedError } from '../core/errors';
import { terminalText } from '../core/report/escape';
import { EXIT, type Io } from './io';

export type CliErrorCode =
  /** The command line: an unknown or malformed option, a missing argument, options that exclude each other. */
  | 'USAGE'
  /** A path given on the command line cannot be read (the model, a policy, key, certificate or manifest). */
  | 'INPUT_UNREADABLE'
  /** An entry of the model could not be read or scanned (gate). */
  | 'ENTRY_UNREADABLE'
  /** The model folder holds more entries than --max-entries (gate). */
  | 'ENTRY_LIMIT'
  /** --manifest is not a Safeload manifest, or not signed by --manifest-key (gate). */
  | 'MANIFEST_REJECTED'
  /** A Hub repo read in place, or the listing --check-hub compares with, could not be read. */
  | 'HUB_UNREADABLE'
  /** Vulnerabilities could not be looked up: an unusable OSV database, or the OSV API failed. */
  | 'VULNERABILITY_LOOKUP'
  /** `audit` found no requirement or lock file. */
  | 'NOTHING_TO_AUDIT';

/** Every code ends the run with exit 2 ("usage or I/O error"): the README's exit-code contract. */
const EXIT_CODE: Record<CliErrorCode, (typeof EXIT)[keyof typeof EXIT]> = {
  USAGE: EXIT.usage,
  INPUT_UNREADABLE: EXIT.usage,
  ENTRY_UNREADABLE: EXIT.usage,
  ENTRY_LIMIT: EXIT.usage,
  MANIFEST_REJECTED: EXIT.usage,
  HUB_UNREADABLE: EXIT.usage,
  VULNERABILITY_LOOKUP: EXIT.usage,
  NOTHING_TO_AUDIT: EXIT.usage
};

/** A failure that stops a command before its report; `code` says which, `exitCode` is what the run exits with. */
export class CliError extends CodedError<CliErrorCode> {
  override readonly name = 'CliError';

  get exitCode(): number {
    return EXIT_CODE[this.code];
  }
}

/** A mistake on the command line (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/**
 * Reports a failure that stopped a command: `safeload: message` on stderr, and with --json also
 * `{"error": {"code", "message"}}` on stdout (where the report would have been). Returns the exit code.
 */
export function reportCliError(err: CliError, io: Io, json: boolean): number {
  io.err(`safeload: ${terminalText(err.message)}`);
  if (json) io.out(JSON.stringify({ error: { code: err.code, message: err.message } }, null, 2));
  return err.exitCode;
}
