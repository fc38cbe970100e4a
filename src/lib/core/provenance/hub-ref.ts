import { HubRefError } from './errors';

/** Where a provenance capture points: one repo on the Hub, optionally a revision and a path inside it. */
export type RepoType = 'model' | 'dataset' | 'space';

export const HUB_ORIGIN = 'https://huggingface.co';

export interface HubRef {
  hub: string;
  repoType: RepoType;
  /** "namespace/name", or a legacy single-segment id ("gpt2") that the Hub redirects. */
  repoId: string;
  /** Branch, tag, full or short commit, or "refs/pr/N"; null = the default branch. */
  revision: string | null;
  /** File or folder inside the repo named by a /blob, /resolve or /tree URL. */
  path: string | null;
  /** Whether `path` names a file (/blob, /resolve, /raw) or a folder (/tree). */
  pathIsFile: boolean;
}

const TYPE_PREFIX: Record<RepoType, string> = { model: '', dataset: 'datasets/', space: 'spaces/' };
const TYPE_SEGMENT: Record<RepoType, string> = { model: 'models', dataset: 'datasets', space: 'spaces' };
const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
/** First URL segments that are Hub pages, not user or organisation names. */
const RESERVED = new Set([
  'api',
  'blog',
  'collections',
  'docs',
  'join',
  'learn',
  'login',
  'models',
  'new',
  'organizations',
  'papers',
  'posts',
  'pricing',
  'settings',
  'tasks',
  'welcome'
]);
const VIEWS = new Set(['tree', 'blob', 'resolve', 'raw', 'commit', 'commits', 'edit']);
/**
 * One segment of a repo id, as huggingface_hub's `validate_repo_id` (and the Hub) accept it: ASCII letters,
 * digits, "_", "-" and ".", starting and ending with a letter, digit or "_"; at most 96 characters.
 */
const SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;
export const MAX_REVISION = 256;

export function isCommitSha(rev: string | null | undefined): rev is string {
  return typeof rev === 'string' && /^[0-9a-f]{40}$/.test(rev);
}

/** "name" or "namespace/name" by the Hub's grammar: no "--", no "..", no ".git" suffix. */
export function isValidRepoId(repoId: unknown): repoId is string {
  if (typeof repoId !== 'string') return false;
  const parts = repoId.split('/');
  return (
    parts.length >= 1 &&
    parts.length <= 2 &&
    parts.every((p) => SEGMENT.test(p)) &&
    !repoId.includes('--') &&
    !repoId.includes('..') &&
    !repoId.endsWith('.git')
  );
}

export function validateRepoId(repoId: string): string {
  if (!isValidRepoId(repoId))
    throw new HubRefError(
      'HUB_REF_REPO_ID',
      `${JSON.stringify(String(repoId).slice(0, 120))} is not a valid Hub repo id (expected namespace/name: letters, digits, "_", "-", ".")`
    );
  return repoId;
}

/**
 * A branch, tag or commit as git's check-ref-format accepts it (the Hub stores revisions as git refs), or
 * refs/pr/N. Characters git forbids (controls, space, ~ ^ : ? * [ \\), "..", "@{", "//", a leading or
 * trailing "/", a component starting with "." or ending in ".lock" are refused, and so are Unicode format
 * characters (bidi overrides, zero-width), which git allows but which only serve to disguise a name.
 * Shell metacharacters git allows stay allowed: every suggested command quotes the value.
 */
export function isValidRevision(rev: unknown): rev is string {
  if (typeof rev !== 'string' || rev.length === 0 || rev.length > MAX_REVISION) return false;
  if (/[\u0000-\u0020\u007f~^:?*[\\]|\p{Cf}|\p{Zl}|\p{Zp}/u.test(rev)) return false;
  if (rev === '@' || rev.includes('..') || rev.includes('@{') || rev.includes('//')) return false;
  if (rev.startsWith('/') || rev.endsWith('/') || rev.endsWith('.')) return false;
  return rev.split('/').every((c) => !c.startsWith('.') && !c.endsWith('.lock'));
}

export function validateRevision(rev: string): string {
  if (!isValidRevision(rev))
    throw new HubRefError(
      'HUB_REF_REVISION',
      `${JSON.stringify(String(rev).slice(0, 80))} is not a valid revision (branch, tag, commit or refs/pr/N)`
    );
  return rev;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HubRefError(
      'HUB_REF_URL',
      `the URL segment "${segment.slice(0, 80)}" is not valid percent-encoding`
    );
  }
}

/** Takes "refs/pr/N" (as three segments or one encoded segment) or one segment as the revision. */
function takeRevision(segments: string[]): { revision: string; rest: string[] } {
  if (segments[0] === 'refs' && segments[1] === 'pr' && /^\d+$/.test(segments[2] ?? ''))
    return { revision: `refs/pr/${segments[2]}`, rest: segments.slice(3) };
  if (segments[0] === 'refs' && (segments[1] === 'heads' || segments[1] === 'tags') && segments[2])
    return { revision: segments[2], rest: segments.slice(3) };
  return { revision: segments[0], rest: segments.slice(1) };
}

function fromSegments(raw: string[]): HubRef {
  const segments = raw.filter((s) => s !== '').map(decodeSegment);
  let repoType: RepoType = 'model';
  if (segments[0] === 'datasets' || segments[0] === 'spaces') {
    repoType = segments[0] === 'datasets' ? 'dataset' : 'space';
    segments.shift();
  }
  if (segments.length === 0) throw new HubRefError('HUB_REF_REPO_ID', 'no repo id given');
  if (repoType === 'model' && RESERVED.has(segments[0]))
    throw new HubRefError('HUB_REF_REPO_ID', `"/${segments[0]}" is a Hub page, not a repo`);
  // "org/name/tree/…"; a legacy one-segment id only when a revision follows ("gpt2/tree/main").
  const viewAt = VIEWS.has(segments[2] ?? '')
    ? 2
    : VIEWS.has(segments[1] ?? '') && segments.length >= 3
      ? 1
      : -1;
  const idParts = viewAt === -1 ? segments.slice(0, 2) : segments.slice(0, viewAt);
  const repoId = validateRepoId(idParts.join('/'));
  let revision: string | null = null;
  let path: string | null = null;
  const pathIsFile = viewAt !== -1 && ['blob', 'resolve', 'raw', 'edit'].includes(segments[viewAt]);
  if (viewAt !== -1) {
    const after = segments.slice(viewAt + 1);
    if (after.length > 0) {
      const taken = takeRevision(after);
      revision = validateRevision(taken.revision);
      path = taken.rest.length > 0 ? taken.rest.join('/') : null;
    }
  } else if (segments.length > 2) {
    throw new HubRefError(
      'HUB_REF_REPO_ID',
      `unexpected "${segments.slice(2).join('/').slice(0, 80)}" after the repo id`
    );
  }
  return { hub: HUB_ORIGIN, repoType, repoId, revision, path, pathIsFile: pathIsFile && path !== null };
}

/**
 * Parses a repo id ("org/name", "datasets/org/name") or any Hub URL (model, dataset, space; /tree/REV[/dir],
 * /blob/REV/path, /resolve/REV/path, /commit/SHA, refs/pr/N). An explicit `revision` overrides the URL's.
 */
export function parseHubRef(input: string, revision?: string | null): HubRef {
  const text = input.trim();
  if (text.length === 0) throw new HubRefError('HUB_REF_EMPTY', 'enter a repo id or a Hugging Face URL');
  if (text.length > 2048) throw new HubRefError('HUB_REF_REPO_ID', 'the repo id or URL is too long');
  let ref: HubRef;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(www\.)?(huggingface\.co|hf\.co)\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    } catch {
      throw new HubRefError('HUB_REF_URL', 'this is not a valid URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new HubRefError('HUB_REF_URL', 'only https Hub URLs are supported');
    if (!HUB_HOSTS.has(url.hostname.toLowerCase()))
      throw new HubRefError('HUB_REF_URL', `${url.hostname} is not the Hugging Face Hub (huggingface.co)`);
    ref = fromSegments(url.pathname.split('/'));
  } else {
    ref = fromSegments(text.split('/'));
  }
  const explicit = revision?.trim();
  if (explicit) ref = { ...ref, revision: validateRevision(explicit) };
  return ref;
}

/** Percent-encodes each segment; "." and ".." segments would be resolved away by URL parsing, so they are refused. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      if (segment === '.' || segment === '..' || segment === '')
        throw new HubRefError(
          'HUB_REF_PATH',
          `${JSON.stringify(path.slice(0, 120))} is not a path inside a repo`
        );
      return encodeURIComponent(segment);
    })
    .join('/');
}

/** URLs are built from validated parts only: a repo id or revision from a file or link never steers a request. */
function repoPath(ref: Pick<HubRef, 'repoId'>): string {
  return encodePath(validateRepoId(ref.repoId));
}

function revisionPart(rev: string): string {
  return encodeURIComponent(validateRevision(rev));
}

/** The Hub origin of a ref: an https origin only (a ref's `hub` never carries a path, query or credentials). */
function hubOrigin(ref: Pick<HubRef, 'hub' | 'repoType'>): string {
  let url: URL;
  try {
    url = new URL(ref.hub);
  } catch {
    throw new HubRefError('HUB_REF_URL', 'the Hub address is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new HubRefError('HUB_REF_URL', 'the Hub address must be an http(s) origin');
  if (!(ref.repoType in TYPE_SEGMENT)) throw new HubRefError('HUB_REF_REPO_ID', 'unknown repo type');
  return url.origin;
}

/** Web and API addresses for a ref; all on the Hub origin, built from validated, encoded parts. */
export const hubUrls = {
  api(ref: Pick<HubRef, 'hub' | 'repoType' | 'repoId'>): string {
    return `${hubOrigin(ref)}/api/${TYPE_SEGMENT[ref.repoType]}/${repoPath(ref)}`;
  },
  repo(ref: Pick<HubRef, 'hub' | 'repoType' | 'repoId'>): string {
    return `${hubOrigin(ref)}/${TYPE_PREFIX[ref.repoType]}${repoPath(ref)}`;
  },
  tree(ref: Pick<HubRef, 'hub' | 'repoType' | 'repoId'>, rev: string): string {
    return `${hubUrls.repo(ref)}/tree/${revisionPart(rev)}`;
  },
  commit(ref: Pick<HubRef, 'hub' | 'repoType' | 'repoId'>, commit: string): string {
    return `${hubUrls.repo(ref)}/commit/${revisionPart(commit)}`;
  },
  blob(ref: Pick<HubRef, 'hub' | 'repoType' | 'repoId'>, rev: string, path: string): string {
    return `${hubUrls.repo(ref)}/blob/${revisionPart(rev)}/${encodePath(path)}`;
  },
  resolve(ref: Pick<HubRef, 'hub' | 'repoType' | 'repoId'>, rev: string, path: string): string {
    return `${hubUrls.repo(ref)}/resolve/${revisionPart(rev)}/${encodePath(path)}`;
  }
};

/** purl-spec "huggingface" type; defined for models only. */
export function purlFor(ref: Pick<HubRef, 'repoType' | 'repoId'>, commit: string): string | null {
  if (ref.repoType !== 'model') return null;
  if (!isCommitSha(commit.toLowerCase())) return null;
  return `pkg:huggingface/${repoPath(ref)}@${commit.toLowerCase()}`;
}
