import { SEVERITIES, severityRank, type Severity, type Verdict } from '../core/findings';
import type { PolicyOutcome } from '../core/policy';
import type { ModelVersionRecord } from '../core/registry';
import type { SeverityCounts, TriageReport } from '../core/triage';

export type StatusFilter = 'all' | PolicyOutcome | 'unevaluated';

export interface RegistryFilter {
  status: StatusFilter;
  /** Only models whose newest triage has a finding at this severity or above; "" for any. */
  minSeverity: Severity | '';
  /** Case-insensitive part of the name, version or source. */
  search: string;
}

export const NO_FILTER: RegistryFilter = { status: 'all', minSeverity: '', search: '' };

export function latestReport(record: ModelVersionRecord): TriageReport | null {
  return record.reports.at(-1) ?? null;
}

export function verdictOf(record: ModelVersionRecord): Verdict {
  return latestReport(record)?.summary.verdict ?? 'clean';
}

export function filterRecords(
  records: readonly ModelVersionRecord[],
  filter: RegistryFilter
): ModelVersionRecord[] {
  const needle = filter.search.trim().toLowerCase();
  return records.filter((r) => {
    if (
      filter.status === 'unevaluated'
        ? r.status !== null
        : filter.status !== 'all' && r.status !== filter.status
    )
      return false;
    if (filter.minSeverity && severityRank(verdictOf(r)) < severityRank(filter.minSeverity)) return false;
    if (!needle) return true;
    return [r.name, r.version, r.source ?? ''].some((t) => t.toLowerCase().includes(needle));
  });
}

export function statusCounts(
  records: readonly ModelVersionRecord[]
): Record<PolicyOutcome | 'unevaluated', number> {
  const counts = { pass: 0, fail: 0, error: 0, unevaluated: 0 };
  for (const r of records) counts[r.status ?? 'unevaluated']++;
  return counts;
}

export interface SeriesPoint {
  label: string;
  counts: SeverityCounts;
}

function emptyCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

function add(into: SeverityCounts, from: SeverityCounts): void {
  for (const s of SEVERITIES) into[s] += from[s] ?? 0;
}

/** Findings of the newest triage of each model version filed that day, summed by severity, oldest day first. */
export function severityByDay(records: readonly ModelVersionRecord[], maxDays = 60): SeriesPoint[] {
  const days = new Map<string, Map<string, SeverityCounts>>();
  for (const record of records) {
    for (const report of record.reports) {
      const day = report.createdAt.slice(0, 10);
      const perModel = days.get(day) ?? new Map<string, SeverityCounts>();
      // A model triaged twice in a day counts once, with its latest findings.
      perModel.set(`${record.name}\u0000${record.version}`, report.summary.findingCounts);
      days.set(day, perModel);
    }
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-maxDays)
    .map(([label, perModel]) => {
      const counts = emptyCounts();
      for (const c of perModel.values()) add(counts, c);
      return { label, counts };
    });
}

/** One point per triage of one model version, oldest first. */
export function severityByReport(record: ModelVersionRecord): SeriesPoint[] {
  return record.reports.map((r) => {
    const counts = emptyCounts();
    add(counts, r.summary.findingCounts);
    return { label: r.createdAt.slice(0, 16).replace('T', ' '), counts };
  });
}

export interface GraphFile {
  path: string;
  format: string;
  verdict: Verdict;
}

export interface GraphDependency {
  label: string;
  vulnerable: boolean;
  /** Indexes into files: the dependency files that declare it. */
  declaredBy: number[];
}

export interface ModelGraph {
  model: string;
  files: GraphFile[];
  hiddenFiles: number;
  dependencies: GraphDependency[];
  hiddenDependencies: number;
}

/** Model → files → dependencies, capped so the drawing stays readable (the text version says what was left out). */
export function modelGraph(report: TriageReport, maxFiles = 24, maxDependencies = 24): ModelGraph {
  const inputs = new Set(report.dependencies.inputs);
  // Dependency files first, so their edges are always drawn.
  const ordered = [...report.files].sort(
    (a, b) => Number(inputs.has(b.path)) - Number(inputs.has(a.path)) || a.path.localeCompare(b.path)
  );
  const files = ordered
    .slice(0, maxFiles)
    .map((f) => ({ path: f.path, format: f.format, verdict: f.verdict }));
  const index = new Map(files.map((f, i) => [f.path, i]));
  const dependencies = report.dependencies.packages.slice(0, maxDependencies).map((d) => ({
    label: `${d.name} ${d.version}`,
    vulnerable: d.vulns.length > 0,
    declaredBy: d.declaredIn.flatMap((p) => (index.has(p) ? [index.get(p)!] : []))
  }));
  return {
    model: `${report.model.name}${report.model.version ? `@${report.model.version}` : ''}`,
    files,
    hiddenFiles: report.files.length - files.length,
    dependencies,
    hiddenDependencies: report.dependencies.packages.length - dependencies.length
  };
}

/** A file name safe on every OS, for downloads named after a model. */
export function fileSafe(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 80) || 'model'
  );
}
