// The one SARIF 2.1.0 writer: scan findings (report/sarif.ts), dependency audits (deps/report-sarif.ts) and
// policy results added to a scan's log (policy/sarif.ts) all build their runs here.
import type { Artifact, Log, PropertyBag, ReportingDescriptor, Result, Run, ToolComponent } from 'sarif';
import { INFORMATION_URI, SAFELOAD_VERSION } from '../version';

export type SarifLevel = 'error' | 'warning' | 'note';

/** A run as Safeload writes it: its rules and results are always there. */
export interface SarifRun extends Run {
  tool: { driver: ToolComponent & { rules: ReportingDescriptor[] } };
  results: Result[];
}

export interface SarifLog extends Log {
  runs: SarifRun[];
}

/** A run's rules, each added once and referred to by index from its results. */
export class SarifRules {
  private readonly index = new Map<string, number>();

  constructor(readonly list: ReportingDescriptor[] = []) {
    list.forEach((rule, i) => this.index.set(rule.id, i));
  }

  /** The index of rule `id`, adding the rule `describe` makes when it is new. */
  indexOf(id: string, describe: () => ReportingDescriptor): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(describe());
      this.index.set(id, i);
    }
    return i;
  }
}

/** A SARIF log of one Safeload run. */
export function sarifLog(run: {
  rules: ReportingDescriptor[];
  results: Result[];
  artifacts?: Artifact[];
  properties?: PropertyBag;
}): SarifLog {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'safeload',
            version: SAFELOAD_VERSION,
            informationUri: INFORMATION_URI,
            rules: run.rules
          }
        },
        ...(run.artifacts ? { artifacts: run.artifacts } : {}),
        ...(run.properties ? { properties: run.properties } : {}),
        results: run.results
      }
    ]
  };
}

/** A rule id as a SARIF rule name: "pickle.call.dangerous" → "PickleCallDangerous". */
export function ruleName(id: string): string {
  return id.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase());
}

/** A relative path as a URI reference, each segment percent-encoded. */
export function pathUri(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}
