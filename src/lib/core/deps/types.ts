/** Where a dependency was declared: the file (path within the drop) and, for line-based files, the line. */
export interface DeclaredAt {
  file: string;
  line?: number;
}

/** How the package would be obtained; only registry versions can be audited against OSV. */
export type DependencyKind = 'registry' | 'url' | 'path' | 'editable' | 'vcs';

export interface Dependency {
  /** PEP 503 normalised name (lower case, runs of -_. as one '-'). */
  name: string;
  /** The name as written. */
  displayName: string;
  /** The exact version when pinned (==, ===, a lock entry); undefined when not pinned. */
  version?: string;
  /** The version constraint as written, e.g. ">=2.8.1, ==2.8.*". */
  specifier: string;
  kind: DependencyKind;
  extras: string[];
  marker?: string;
  hashes: string[];
  /** Why this entry cannot be audited, and what would be needed; absent when it can. */
  skipReason?: string;
  /** Development / optional group it belongs to, when the file says so. */
  group?: string;
  /** Normalised names this package depends on (lock files that record it). */
  dependsOn?: string[];
  declaredAt: DeclaredAt[];
}

export interface InputProblem {
  file: string;
  line?: number;
  message: string;
}

export interface ParsedInput {
  dependencies: Dependency[];
  problems: InputProblem[];
  /** Files actually read, including -r / -c includes. */
  files: string[];
}

/** Reads a dropped file's text by its path in the drop; null when that file is not there. */
export type ReadText = (path: string) => Promise<string | null>;
