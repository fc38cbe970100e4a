import { canonicalJson } from './canonical-json';
import { IN_TOTO_STATEMENT_V1, inTotoStatement, PROVENANCE_PREDICATE_TYPE } from './in-toto';
import { MANIFEST_SCHEMA, type Manifest } from './manifest';
import { ManifestError } from './errors';
import { parseManifest } from './manifest-parse';
import { keyFingerprint } from '../signing/key-fingerprint';
import { toPem } from '../signing/pem';
import { decodeManifestFragment, linkSignature } from './share-link';
import { isBundle, signedManifestBundle, unverifiedBundleParts } from './signed-manifest';

/** How a manifest arrived: as itself, as its in-toto Statement, or signed (a Sigstore bundle of the Statement). */
export type ManifestForm = 'manifest' | 'in-toto' | 'signed';

export interface ManifestDocument {
  manifest: Manifest;
  form: ManifestForm;
  /** The bundle as read, for a signed manifest: its signature is checked separately, against a key. */
  bundle: unknown | null;
  /** The bundle's key hint (the signer key's fingerprint when Safeload signed it). */
  keyHint: string | null;
}

export const MAX_MANIFEST_TEXT = 64 * 1024 * 1024;
/** YAML is parsed into a full document tree first; keep that smaller than the JSON limit. */
export const MAX_MANIFEST_YAML = 32 * 1024 * 1024;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The manifest an in-toto Statement was made from. The Statement must be exactly what this manifest
 * exports, so neither its subjects nor its predicate can say something the (digest-checked) manifest does not.
 */
async function manifestFromStatement(value: Obj): Promise<Manifest> {
  if (value.predicateType !== PROVENANCE_PREDICATE_TYPE)
    throw new ManifestError(
      'MANIFEST_UNRECOGNISED',
      `This in-toto Statement is not a Safeload provenance statement (predicateType ${String(value.predicateType).slice(0, 120)}).`
    );
  const predicate = value.predicate;
  if (!isObject(predicate) || predicate.manifest === undefined)
    throw new ManifestError(
      'MANIFEST_UNRECOGNISED',
      'This in-toto Statement does not hold its manifest (an older Safeload made it): load the manifest JSON instead.'
    );
  const manifest = await parseManifest(predicate.manifest);
  if (canonicalJson(value) !== canonicalJson(inTotoStatement(manifest)))
    throw new ManifestError(
      'MANIFEST_ALTERED',
      'The in-toto Statement was altered: its subjects or predicate do not match the manifest it holds.'
    );
  return manifest;
}

/** Reads a parsed document as a manifest, its in-toto Statement, or a signed bundle of that Statement. */
export async function readManifestDocument(value: unknown): Promise<ManifestDocument> {
  if (isBundle(value)) {
    const { payload, keyHint } = unverifiedBundleParts(value);
    let statement: unknown;
    try {
      statement = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch {
      throw new ManifestError(
        'MANIFEST_BUNDLE_INVALID',
        'The signed bundle does not hold a JSON in-toto Statement.'
      );
    }
    if (!isObject(statement) || statement._type !== IN_TOTO_STATEMENT_V1)
      throw new ManifestError(
        'MANIFEST_BUNDLE_INVALID',
        'The signed bundle does not hold an in-toto Statement.'
      );
    return { manifest: await manifestFromStatement(statement), form: 'signed', bundle: value, keyHint };
  }
  if (isObject(value) && value._type === IN_TOTO_STATEMENT_V1)
    return { manifest: await manifestFromStatement(value), form: 'in-toto', bundle: null, keyHint: null };
  if (isObject(value) && value.schema === MANIFEST_SCHEMA)
    return { manifest: await parseManifest(value), form: 'manifest', bundle: null, keyHint: null };
  throw new ManifestError(
    'MANIFEST_UNRECOGNISED',
    'Not a Safeload manifest: expected a manifest, its in-toto Statement, or a signed manifest bundle.'
  );
}

/** Parses the text of any exported form, JSON or YAML, and reads it as a manifest document. */
export async function parseManifestText(text: string): Promise<ManifestDocument> {
  if (text.length > MAX_MANIFEST_TEXT)
    throw new ManifestError('MANIFEST_TOO_LARGE', `The manifest is larger than ${MAX_MANIFEST_TEXT} bytes.`);
  const body = text.replace(/^\uFEFF/, '');
  let value: unknown;
  if (body.trimStart().startsWith('{')) {
    try {
      value = JSON.parse(body);
    } catch {
      throw new ManifestError('MANIFEST_SYNTAX', 'The manifest is not valid JSON.');
    }
  } else {
    if (body.length > MAX_MANIFEST_YAML)
      throw new ManifestError(
        'MANIFEST_TOO_LARGE',
        `A YAML manifest must be under ${MAX_MANIFEST_YAML} bytes; use the JSON export.`
      );
    const { readYamlManifest } = await import('./yaml-read');
    try {
      value = readYamlManifest(body);
    } catch (err) {
      throw new ManifestError(
        'MANIFEST_SYNTAX',
        `The manifest is neither JSON nor YAML: ${String((err as Error).message)
          .split('\n')[0]
          .slice(0, 200)}`
      );
    }
  }
  return readManifestDocument(value);
}

/**
 * Opens a share link: its manifest, and for a signed link the same bundle a signed manifest file holds
 * (rebuilt from the manifest and the signature) with the public key the link carries.
 */
export async function openShareLink(
  urlOrFragment: string
): Promise<{ doc: ManifestDocument; carriedKeyPem: string | null }> {
  const manifest = await decodeManifestFragment(urlOrFragment);
  const signed = linkSignature(urlOrFragment);
  if (!signed)
    return { doc: { manifest, form: 'manifest', bundle: null, keyHint: null }, carriedKeyPem: null };
  const fingerprint = keyFingerprint(signed.publicKey);
  return {
    doc: {
      manifest,
      form: 'signed',
      bundle: signedManifestBundle(manifest, signed.signature, fingerprint),
      keyHint: fingerprint
    },
    carriedKeyPem: toPem('PUBLIC KEY', signed.publicKey)
  };
}
