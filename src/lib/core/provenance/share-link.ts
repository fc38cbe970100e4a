import { deflateSync, Inflate } from 'fflate';
import { fromBase64, toBase64Url } from '../bytes/base64';
import { canonicalJson } from './canonical-json';
import { ShareLinkError } from './errors';
import type { Manifest } from './manifest';
import { parseManifest } from './manifest-parse';

/**
 * Fragment keys: `#m=<base64url(deflate(JCS(manifest)))>`, and for a signed link also
 * `&sig=<base64url(DER ECDSA signature)>&key=<base64url(SubjectPublicKeyInfo)>`. The signature is the one of
 * the signed manifest bundle (over the manifest's in-toto Statement). The fragment never reaches a server.
 */
export const LINK_PARAM = 'm';
const SIG_PARAM = 'sig';
const KEY_PARAM = 'key';
/** A DER ECDSA signature and a public key are far below this. */
const MAX_SIG_PARAM_CHARS = 4096;
export const MAX_LINK_CHARS = 512 * 1024;
/** A link describes at most this many files (a manifest file may hold more): about 4 MB of JSON. */
export const MAX_LINK_FILES = 10_000;
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
const INFLATE_SLICE = 1024;

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text))
    throw new ShareLinkError(
      'SHARE_LINK_DAMAGED',
      'The link is damaged: it contains characters base64url does not use.'
    );
  const bytes = fromBase64(text);
  if (!bytes)
    throw new ShareLinkError('SHARE_LINK_DAMAGED', 'The link is damaged: it is not valid base64url.');
  return bytes;
}

/** Inflates in small slices so a deflate bomb is stopped at the limit instead of filling memory. */
function boundedInflate(data: Uint8Array, max: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > max)
      throw new ShareLinkError(
        'SHARE_LINK_TOO_LARGE',
        `The link expands to more than ${max} bytes; refusing to open it.`
      );
    parts.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < data.length; i += INFLATE_SLICE)
      inflater.push(data.subarray(i, i + INFLATE_SLICE), i + INFLATE_SLICE >= data.length);
    if (data.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof ShareLinkError) throw err;
    throw new ShareLinkError('SHARE_LINK_DAMAGED', 'The link is damaged: its compressed data is invalid.');
  }
  if (!ended)
    throw new ShareLinkError('SHARE_LINK_DAMAGED', 'The link is truncated: its compressed data ends early.');
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function encodeManifestFragment(m: Manifest): string {
  const bytes = new TextEncoder().encode(canonicalJson(m));
  return `${LINK_PARAM}=${toBase64Url(deflateSync(bytes, { level: 9 }))}`;
}

/** A link's signature: the DER signature and the signer's public key (SubjectPublicKeyInfo). */
export interface LinkSignature {
  signature: Uint8Array;
  publicKey: Uint8Array;
}

/** A full share link for a page URL (any existing fragment is replaced); signed when a signature is given. */
export function shareLink(pageUrl: string, m: Manifest, signed?: LinkSignature): string {
  const sig = signed
    ? `&${SIG_PARAM}=${toBase64Url(signed.signature)}&${KEY_PARAM}=${toBase64Url(signed.publicKey)}`
    : '';
  return `${pageUrl.split('#')[0]}#${encodeManifestFragment(m)}${sig}`;
}

/** One `name=` parameter of a fragment or full URL, or null when it has none. */
function fragmentParam(urlOrFragment: string, name: string): string | null {
  const hash = urlOrFragment.includes('#')
    ? urlOrFragment.slice(urlOrFragment.indexOf('#') + 1)
    : urlOrFragment;
  for (const part of hash.split('&')) if (part.startsWith(`${name}=`)) return part.slice(name.length + 1);
  return null;
}

/** The `m=` payload of a fragment or full URL, or null when it has none. */
export function fragmentPayload(urlOrFragment: string): string | null {
  return fragmentParam(urlOrFragment, LINK_PARAM);
}

/** The signature a link carries, or null for an unsigned link; a damaged one is an error, never "unsigned". */
export function linkSignature(urlOrFragment: string): LinkSignature | null {
  const sig = fragmentParam(urlOrFragment, SIG_PARAM);
  const key = fragmentParam(urlOrFragment, KEY_PARAM);
  if (sig === null && key === null) return null;
  if (sig === null || key === null)
    throw new ShareLinkError(
      'SHARE_LINK_DAMAGED',
      'The link is damaged: it has half a signature (sig= and key= go together).'
    );
  if (sig.length > MAX_SIG_PARAM_CHARS || key.length > MAX_SIG_PARAM_CHARS)
    throw new ShareLinkError('SHARE_LINK_DAMAGED', 'The link is damaged: its signature or key is too long.');
  return { signature: fromBase64Url(sig), publicKey: fromBase64Url(key) };
}

/** Decodes and validates a link's manifest; every failure is a ShareLinkError or ManifestError with a clear message. */
export async function decodeManifestFragment(urlOrFragment: string): Promise<Manifest> {
  const payload = fragmentPayload(urlOrFragment);
  if (payload === null)
    throw new ShareLinkError('SHARE_LINK_EMPTY', 'This link carries no manifest (#m=… is missing).');
  if (payload.length > MAX_LINK_CHARS)
    throw new ShareLinkError('SHARE_LINK_TOO_LARGE', `The link is longer than ${MAX_LINK_CHARS} characters.`);
  const inflated = boundedInflate(fromBase64Url(payload), MAX_INFLATED_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated));
  } catch {
    throw new ShareLinkError('SHARE_LINK_DAMAGED', 'The link is damaged: it does not hold JSON.');
  }
  const files = (value as { files?: unknown } | null)?.files;
  if (Array.isArray(files) && files.length > MAX_LINK_FILES)
    throw new ShareLinkError(
      'SHARE_LINK_TOO_LARGE',
      `The link describes ${files.length} files; a share link carries at most ${MAX_LINK_FILES}. Share the manifest file instead.`
    );
  return parseManifest(value, MAX_LINK_FILES);
}
