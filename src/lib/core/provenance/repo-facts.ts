import { isValidRepoId } from './hub-ref';

/** The facts about a repo an analyst weighs before loading anything from it, read defensively from repo info. */
export interface RepoFacts {
  /** Canonical id (after the Hub redirected a legacy id). */
  repoId: string;
  private: boolean | null;
  /** false, "auto" or "manual" as the Hub reports it. */
  gated: false | 'auto' | 'manual' | null;
  disabled: boolean | null;
  licenses: string[];
  libraryName: string | null;
  pipelineTag: string | null;
  tags: string[];
  baseModels: string[];
  remoteCode: {
    customCodeTag: boolean;
    /** config.auto_map: model classes that load Python code from the repo. */
    autoMap: Record<string, string> | null;
    customClass: string | null;
  };
  /** The Hub's own scan summary (models, ?securityStatus=true); null when it was not reported. */
  securityScan: { scansDone: boolean | null; filesWithIssues: { path: string; level: string }[] } | null;
  lastModified: string | null;
  createdAt: string | null;
}

const MAX_TAGS = 500;
const MAX_ISSUES = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, max = 200): string | null {
  return typeof v === 'string' ? v.slice(0, max) : null;
}

function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

function strings(v: unknown, max = MAX_TAGS): string[] {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return list
    .filter((x): x is string => typeof x === 'string')
    .slice(0, max)
    .map((x) => x.slice(0, 200));
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function autoMapOf(config: unknown): Record<string, string> | null {
  if (!isRecord(config) || !isRecord(config.auto_map)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.auto_map).slice(0, 100)) {
    // Values are "module.Class" or ["module.Slow", "module.Fast"] for tokenizers.
    const value = Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') : str(v);
    if (value) out[k.slice(0, 100)] = value.slice(0, 300);
  }
  return out;
}

function securityOf(v: unknown): RepoFacts['securityScan'] {
  if (!isRecord(v)) return null;
  const issues = Array.isArray(v.filesWithIssues) ? v.filesWithIssues : [];
  return {
    scansDone: bool(v.scansDone),
    filesWithIssues: issues
      .filter(isRecord)
      .slice(0, MAX_ISSUES)
      .map((i) => ({ path: str(i.path, 1000) ?? '', level: str(i.level, 40) ?? 'unknown' }))
  };
}

export function repoFactsFromInfo(info: Record<string, unknown>, fallbackId: string): RepoFacts {
  const tags = strings(info.tags);
  const card = isRecord(info.cardData) ? info.cardData : {};
  const transformers = isRecord(info.transformersInfo) ? info.transformersInfo : {};
  const gated = info.gated === false || info.gated === 'auto' || info.gated === 'manual' ? info.gated : null;
  return {
    repoId: isValidRepoId(info.id) ? info.id : fallbackId,
    private: bool(info.private),
    gated,
    disabled: bool(info.disabled),
    licenses: unique([
      ...strings(card.license, 20),
      ...tags.filter((t) => t.startsWith('license:')).map((t) => t.slice('license:'.length))
    ]),
    libraryName: str(info.library_name),
    pipelineTag: str(info.pipeline_tag),
    tags,
    baseModels: unique([
      ...strings(card.base_model, 50),
      ...tags.filter((t) => /^base_model:[^:]+$/.test(t)).map((t) => t.slice('base_model:'.length))
    ]),
    remoteCode: {
      customCodeTag: tags.includes('custom_code'),
      autoMap: autoMapOf(info.config),
      customClass: str(transformers.custom_class)
    },
    securityScan: securityOf(info.securityRepoStatus),
    lastModified: str(info.lastModified, 40),
    createdAt: str(info.createdAt, 40)
  };
}
