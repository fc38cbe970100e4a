// @sigstore/* (signature checks of signed manifests) reads the Buffer global while loading: keep this first.
import '../shims/install-buffer';
import { serve } from './comlink';
import { fromBase64 } from '../core/bytes/base64';
import { detectLocalLayout, ManifestError } from '../core/provenance';
import {
  MAX_MANIFEST_TEXT,
  openShareLink,
  parseManifestText,
  type ManifestDocument
} from '../core/provenance/manifest-document';
import type { KnownKey } from '../core/provenance/manifest-signature';
import { onlyBlocks } from '../core/signing/pem';
import type { LayoutEntry, OpenedManifest, ProvenanceWorkerApi } from './provenance-api';

async function readPrefix(file: File, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await file.slice(0, maxBytes).arrayBuffer());
}

/** The manifest with its signature checked; a verified signature is kept to share the manifest on signed. */
async function opened(
  doc: ManifestDocument,
  known: KnownKey[],
  carriedKeyPem?: string
): Promise<OpenedManifest> {
  if (doc.form !== 'signed')
    return { manifest: doc.manifest, form: doc.form, signature: { state: 'unsigned' }, seal: null };
  // The Sigstore verifier is loaded only for signed manifests.
  const { checkManifestSignature } = await import('../core/provenance/manifest-signature');
  const signature = checkManifestSignature(doc, known, carriedKeyPem);
  let seal: OpenedManifest['seal'] = null;
  if (signature.state === 'verified') {
    const envelope = (doc.bundle as { dsseEnvelope: { signatures: { sig: string }[] } }).dsseEnvelope;
    const sig = fromBase64(envelope.signatures[0]?.sig ?? '');
    if (sig)
      seal = { signature: sig, publicKey: onlyBlocks(signature.publicKeyPem, 'PUBLIC KEY', 'public key')[0] };
  }
  return { manifest: doc.manifest, form: doc.form, signature, seal };
}

const api: ProvenanceWorkerApi = {
  async detectLayout(entries: LayoutEntry[]) {
    const byPath = new Map(entries.map((e) => [e.path, e.file]));
    return detectLocalLayout(
      entries.map(({ path, size }) => ({ path, size })),
      async (path, maxBytes) => {
        const file = byPath.get(path);
        if (!file) throw new Error(`${path} was not dropped`);
        return readPrefix(file, maxBytes);
      }
    );
  },
  async readManifest(file, known) {
    if (file.size > MAX_MANIFEST_TEXT)
      throw new ManifestError(
        'MANIFEST_TOO_LARGE',
        `The manifest is larger than ${MAX_MANIFEST_TEXT} bytes.`
      );
    return opened(await parseManifestText(await readPrefix(file, MAX_MANIFEST_TEXT)), known);
  },
  async openLink(urlOrFragment, known) {
    const { doc, carriedKeyPem } = await openShareLink(urlOrFragment);
    return opened(doc, known, carriedKeyPem ?? undefined);
  }
};

serve(api);
