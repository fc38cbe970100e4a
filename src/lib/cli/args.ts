import { parseArgs } from 'node:util';
import { isSeverity, type Severity } from '../core/findings';

export class UsageError extends Error {}

export interface ScanArgs {
  paths: string[];
  json: boolean;
  sarif?: string;
  failOn: Severity;
}

export function parseScanArgs(argv: string[]): ScanArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        sarif: { type: 'string' },
        'fail-on': { type: 'string', default: 'high' }
      }
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const failOn = parsed.values['fail-on'] as string;
  if (!isSeverity(failOn)) throw new UsageError(`--fail-on must be one of info, low, medium, high, critical`);
  if (parsed.positionals.length === 0) throw new UsageError('scan needs at least one file or folder');
  return {
    paths: parsed.positionals,
    json: parsed.values.json as boolean,
    sarif: parsed.values.sarif,
    failOn
  };
}
