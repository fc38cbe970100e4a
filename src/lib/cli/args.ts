import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isSeverity, type Severity } from '../core/findings';
import { UsageError } from './errors';
import { HUB_OPTIONS, hubOptionsFrom, type HubOptions } from './hub-args';

/** node:util parseArgs with positionals allowed; unknown or malformed options become a UsageError (exit 2). */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O
) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export interface ScanArgs {
  paths: string[];
  json: boolean;
  sarif?: string;
  failOn: Severity;
  /** Hub repos read in place and hub cache folders. */
  hub: HubOptions;
  /** A file that was not fully analysed does not fail the run by itself (it fails by default). */
  allowIncomplete: boolean;
  maxEntries?: number;
}

/** `--max-entries N`: a positive integer, or undefined when not given. */
export function parseMaxEntries(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(value)) throw new UsageError('--max-entries must be a positive integer');
  return Number(value);
}

export function parseScanArgs(argv: string[]): ScanArgs {
  const parsed = parseCommandLine(argv, {
    json: { type: 'boolean', default: false },
    sarif: { type: 'string' },
    'fail-on': { type: 'string', default: 'high' },
    'allow-incomplete': { type: 'boolean', default: false },
    'max-entries': { type: 'string' },
    ...HUB_OPTIONS
  });
  const hub = hubOptionsFrom(parsed.values);
  if (typeof hub === 'string') throw new UsageError(hub);
  const failOn = parsed.values['fail-on'];
  if (!isSeverity(failOn)) throw new UsageError(`--fail-on must be one of info, low, medium, high, critical`);
  if (parsed.positionals.length === 0) throw new UsageError('scan needs at least one file or folder');
  return {
    paths: parsed.positionals,
    json: parsed.values.json,
    sarif: parsed.values.sarif,
    failOn,
    allowIncomplete: parsed.values['allow-incomplete'],
    maxEntries: parseMaxEntries(parsed.values['max-entries']),
    hub
  };
}
