import type { Manifest } from '../../core/provenance';

/**
 * What the page shows about a repo and its last commit. A loaded manifest's `repo` and `lastCommit` are only
 * checked to be objects, so every field is read defensively and bounded here.
 */
export interface FactsView {
  gated: string;
  private: string;
  disabled: string;
  licenses: string[];
  library: string;
  pipeline: string;
  tags: string[];
  customCode: boolean;
  autoMap: [string, string][];
  customClass: string;
  baseModels: string[];
  securityScan: { done: string; issues: { path: string; level: string }[] } | null;
  lastModified: string;
}

export interface CommitView {
  id: string;
  title: string;
  date: string;
  authors: string[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function text(v: unknown, max = 200): string {
  return typeof v === 'string' ? v.slice(0, max) : '';
}

function texts(v: unknown, max = 200): string[] {
  return Array.isArray(v)
    ? v
        .filter((x): x is string => typeof x === 'string')
        .slice(0, max)
        .map((x) => x.slice(0, 200))
    : [];
}

function yesNo(v: unknown): string {
  return v === true ? 'yes' : v === false ? 'no' : 'unknown';
}

export function factsView(repo: unknown): FactsView | null {
  if (repo === null || typeof repo !== 'object') return null;
  const r = obj(repo);
  const code = obj(r.remoteCode);
  const scan = r.securityScan === null ? null : obj(r.securityScan);
  const tags = texts(r.tags, 500);
  return {
    gated:
      r.gated === false ? 'no' : r.gated === 'auto' || r.gated === 'manual' ? `yes (${r.gated})` : 'unknown',
    private: yesNo(r.private),
    disabled: yesNo(r.disabled),
    licenses: texts(r.licenses, 20),
    library: text(r.libraryName),
    pipeline: text(r.pipelineTag),
    tags,
    customCode: code.customCodeTag === true || tags.includes('custom_code'),
    autoMap: Object.entries(obj(code.autoMap))
      .slice(0, 100)
      .map(([k, v]) => [k.slice(0, 100), text(v, 300)]),
    customClass: text(code.customClass, 300),
    baseModels: texts(r.baseModels, 50),
    securityScan: scan && {
      done: yesNo(scan.scansDone),
      issues: (Array.isArray(scan.filesWithIssues) ? scan.filesWithIssues : [])
        .slice(0, 200)
        .map((i) => ({ path: text(obj(i).path, 1000), level: text(obj(i).level, 40) || 'unknown' }))
    },
    lastModified: text(r.lastModified, 40)
  };
}

export function commitView(m: Manifest): CommitView | null {
  if (m.lastCommit === null || typeof m.lastCommit !== 'object') return null;
  const c = obj(m.lastCommit);
  return {
    id: text(c.id, 64),
    title: text(c.title, 300),
    date: text(c.date, 40),
    authors: texts(c.authors, 20)
  };
}
