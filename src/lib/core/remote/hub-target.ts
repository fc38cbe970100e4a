import { HubRefError } from '../provenance/errors';
import { parseHubRef, validateRepoId, validateRevision, type HubRef } from '../provenance/hub-ref';

/**
 * `hf://ORG/REPO[@REV]` or a URL (`https://huggingface.co/ORG/REPO[/tree/REV]`); anything else is a path.
 * Any http(s) URL counts, so that one on another host gets parseHubRef's refusal rather than a "no such file".
 */
export function isHubTarget(text: string): boolean {
  return text.startsWith('hf://') || /^https?:\/\//i.test(text);
}

/** Parses a Hub target into a ref; `hf://datasets/ORG/NAME@REV` names a dataset. */
export function parseHubTarget(text: string): HubRef {
  if (!text.startsWith('hf://')) return parseHubRef(text);
  const body = text.slice('hf://'.length);
  const at = body.lastIndexOf('@');
  const [id, revision] = at === -1 ? [body, null] : [body.slice(0, at), body.slice(at + 1)];
  if (revision === '')
    throw new HubRefError('HUB_REF_REVISION', `"${text.slice(0, 120)}" has an empty revision after @`);
  const ref = parseHubRef(id.replace(/\/+$/, ''), revision);
  if (ref.path !== null)
    throw new HubRefError('HUB_REF_PATH', `"${text.slice(0, 120)}" is not hf://ORG/REPO[@REVISION]`);
  return ref;
}

/** `hf://[datasets/|spaces/]ORG/REPO[@REV]` from validated parts (the form parseHubTarget reads back). */
export function hfUri(ref: Pick<HubRef, 'repoType' | 'repoId'>, revision: string | null): string {
  const prefix = ref.repoType === 'model' ? '' : `${ref.repoType}s/`;
  const rev = revision === null ? '' : `@${validateRevision(revision)}`;
  return `hf://${prefix}${validateRepoId(ref.repoId)}${rev}`;
}

/** How reports name a file read on the Hub: `hf://ORG/REPO@COMMIT7/path`. */
export function hubDisplayPath(
  ref: Pick<HubRef, 'repoType' | 'repoId'>,
  commit: string,
  path: string
): string {
  return `${hfUri(ref, commit.slice(0, 7))}/${path}`;
}
