import { Bundle } from '@sigstore/protobuf-specs';
import { bundleFromJSON, type Bundle as SigstoreBundle } from '@sigstore/bundle';
import { fromBase64 } from '../bytes/base64';

export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

export interface LoadedBundle {
  bundle: SigstoreBundle;
  mediaType: string;
  /** True when the strict parser refused it and the certificate-chain compatibility path was used. */
  relaxed: boolean;
}

/** The DSSE payload as sent, before any verification: only to choose how to verify a bundle. */
export function unverifiedDssePayload(json: unknown): Uint8Array | undefined {
  const env = (json as { dsseEnvelope?: { payload?: unknown } } | null)?.dsseEnvelope;
  if (typeof env?.payload !== 'string') return undefined;
  return fromBase64(env.payload) ?? undefined;
}

export function parseBundleJson(text: string): unknown {
  if (text.length > MAX_BUNDLE_BYTES) throw new Error(`bundle is larger than ${MAX_BUNDLE_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`bundle is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Strict Sigstore bundle validation. `allowChainInV03`: OpenSSF model signing writes
 * x509CertificateChain into v0.3 bundles (certificate mode), which the strict validator refuses.
 */
export function loadBundle(json: unknown, { allowChainInV03 = false } = {}): LoadedBundle {
  if (typeof json !== 'object' || json === null) throw new Error('bundle: not a JSON object');
  try {
    const bundle = bundleFromJSON(json);
    return { bundle, mediaType: bundle.mediaType, relaxed: false };
  } catch (err) {
    const content = (
      json as { verificationMaterial?: { x509CertificateChain?: { certificates?: unknown[] } } }
    ).verificationMaterial?.x509CertificateChain;
    if (!allowChainInV03 || !content?.certificates?.length) throw err;
    const bundle = Bundle.fromJSON(json) as SigstoreBundle;
    const chain = bundle.verificationMaterial?.content;
    if (chain?.$case !== 'x509CertificateChain' || chain.x509CertificateChain.certificates.length === 0)
      throw err;
    if (bundle.content?.$case !== 'dsseEnvelope' && bundle.content?.$case !== 'messageSignature') throw err;
    return { bundle, mediaType: bundle.mediaType, relaxed: true };
  }
}
