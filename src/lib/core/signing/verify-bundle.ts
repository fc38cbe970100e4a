import { Buffer } from 'buffer';
import { crypto, X509Certificate } from '@sigstore/core';
import { toSignedEntity, toTrustMaterial, Verifier, type TrustMaterial } from '@sigstore/verify';
// Not in @sigstore/verify's public API: the exact version is pinned in package.json, and
// tests/unit/sigstore-private-api.test.ts fails when an upgrade moves or changes it.
import { verifyCertificateChain } from '@sigstore/verify/dist/key/certificate';
import { loadBundle, type LoadedBundle } from './bundle-load';
import { allowsSigning, describeCertificate, type SignerInfo } from './certificate-info';
import { errorMessage, line, type CheckLine } from './checklist';
import { compatPreAuthEncoding, standardVariant, withVariants, type DsseVariant } from './dsse-variants';
import { checkIdentity, type IdentityPolicy } from './identity-policy';
import { keyFingerprint } from './key-fingerprint';
import { curveHash, keyKind } from './key-info';
import { onlyBlocks } from './pem';
import type { SignedEntity, Signer } from './sigstore-types';
import { publicGoodTrustRoot, type LoadedTrustRoot, type TrustRootSummary } from './trust-root';

export type SignerPolicy =
  | ({ mode: 'keyless'; trustRoot?: LoadedTrustRoot } & IdentityPolicy)
  | { mode: 'key'; publicKeyPem: string; trustRoot?: LoadedTrustRoot }
  | { mode: 'certificate'; caPem: string };

export interface BundleCheckOptions {
  /** Bytes of the artifact a message signature covers (kept small by the caller). */
  artifact?: Uint8Array;
  /** OpenSSF model signing conventions: curve-matched hash, the v0.2 PAE, v0.3 bundles with chains. */
  modelSigning?: boolean;
}

export interface BundleCheck {
  ok: boolean;
  /**
   * Every check but the signer's identity passed: the signature is genuine, whoever made it. With `ok` false
   * this means "valid signature, not by the signer the policy asked for" — never that it did not verify.
   */
  signatureValid: boolean;
  lines: CheckLine[];
  signer?: SignerInfo;
  trust?: TrustRootSummary;
  bundleMediaType?: string;
  /** The DSSE envelope's payload once its signature verified, whoever signed it (not returned otherwise). */
  payload?: { type: string; bytes: Uint8Array };
}

const MODEL_SIGNING_V01 = 'https://model_signing/Digests/v0.1';
const ALL_TIME = { start: new Date(0), end: new Date(8_640_000_000_000_000) };

// The Verifier runs these stages in this order inside verify(); calling them one by one gives a line per
// check instead of the first error. They are TypeScript-private in @sigstore/verify 4.x, hence the cast.
interface VerifierStages {
  verifyTimestamps(entity: SignedEntity): Date[];
  verifySigningKey(entity: SignedEntity, timestamps: Date[]): Signer;
  verifyTLogs(entity: SignedEntity): void;
  verifySignature(entity: SignedEntity, signer: Signer): void;
}

function attempt<T>(fn: () => T): { value?: T; error?: string } {
  try {
    return { value: fn() };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

function predicateTypeOf(payload: Uint8Array): string | undefined {
  try {
    return (JSON.parse(Buffer.from(payload).toString('utf8')) as { predicateType?: string }).predicateType;
  } catch {
    return undefined;
  }
}

function dsseVariants(loaded: LoadedBundle, spki: Uint8Array): DsseVariant[] {
  const content = loaded.bundle.content;
  if (content.$case !== 'dsseEnvelope') return [];
  const env = content.dsseEnvelope;
  if (predicateTypeOf(env.payload) === MODEL_SIGNING_V01) {
    return [
      standardVariant(env, 'sha256'),
      {
        label: 'model_signing v0.2 PAE, SHA-256',
        data: compatPreAuthEncoding(env.payloadType, env.payload),
        hash: 'sha256'
      }
    ];
  }
  return [standardVariant(env, curveHash(keyKind(spki)) ?? 'sha256')];
}

function timestampReason(entity: SignedEntity, dates: Date[]): string {
  const kinds = entity.timestamps.map((t) =>
    t.$case === 'timestamp-authority' ? 'RFC 3161' : 'Rekor integrated time'
  );
  if (dates.length === 0) return 'no timestamp in the bundle (none required in this mode)';
  return dates.map((d, i) => `${kinds[i] ?? 'timestamp'} ${d.toISOString()}`).join('; ');
}

function payloadOf(loaded: LoadedBundle): BundleCheck['payload'] {
  const c = loaded.bundle.content;
  return c.$case === 'dsseEnvelope'
    ? { type: c.dsseEnvelope.payloadType, bytes: c.dsseEnvelope.payload }
    : undefined;
}

/** Verifies a Sigstore bundle's signature, certificate, log entries and timestamps under a signer policy. */
export function verifySignedBundle(
  json: unknown,
  policy: SignerPolicy,
  options: BundleCheckOptions = {}
): BundleCheck {
  const lines: CheckLine[] = [];
  const parsed = attempt(() => {
    const loaded = loadBundle(json, {
      allowChainInV03: policy.mode === 'certificate' && options.modelSigning
    });
    const artifact = options.artifact ? Buffer.from(options.artifact) : undefined;
    return { loaded, entity: toSignedEntity(loaded.bundle, artifact) };
  });
  if (!parsed.value)
    return {
      ok: false,
      signatureValid: false,
      lines: [line('bundle', false, parsed.error ?? 'unreadable bundle')]
    };
  const { loaded, entity } = parsed.value;
  lines.push(
    line(
      'bundle',
      true,
      `${loaded.mediaType}${loaded.relaxed ? ' (certificate chain in a v0.3 bundle, as model_signing writes it)' : ''}`
    )
  );
  const result =
    policy.mode === 'certificate'
      ? certificateMode(loaded, entity, policy.caPem, options)
      : sigstoreMode(loaded, entity, policy, options);
  lines.push(...result.lines);
  const ok = lines.every((l) => l.ok);
  const signatureValid = lines.every((l) => l.ok || l.id === 'identity');
  return {
    ...result,
    lines,
    ok,
    signatureValid,
    bundleMediaType: loaded.mediaType,
    payload: signatureValid ? payloadOf(loaded) : undefined
  };
}

function repeatedReason(oids: string[]): string {
  return `the certificate repeats extension ${oids.slice(0, 5).join(', ')}; RFC 5280 allows each extension once, and readers disagree on which copy counts`;
}

function signatureLine(verified: boolean, how: string, error?: string): CheckLine {
  return line('signature', verified, verified ? how : (error ?? 'signature verification failed'));
}

function sigstoreMode(
  loaded: LoadedBundle,
  entity: SignedEntity,
  policy: Extract<SignerPolicy, { mode: 'keyless' | 'key' }>,
  options: BundleCheckOptions
): Omit<BundleCheck, 'ok' | 'signatureValid'> {
  const trust = policy.trustRoot ?? publicGoodTrustRoot();
  const lines: CheckLine[] = [];
  let material: TrustMaterial;
  let userKey: ReturnType<typeof crypto.createPublicKey> | undefined;
  let spki: Uint8Array | undefined;
  if (policy.mode === 'key') {
    const made = attempt(() => {
      spki = onlyBlocks(policy.publicKeyPem, 'PUBLIC KEY', 'public key file')[0];
      return crypto.createPublicKey(Buffer.from(spki));
    });
    if (!made.value) return { lines: [line('signature', false, `public key unusable: ${made.error}`)] };
    userKey = made.value;
    const key = userKey;
    material = toTrustMaterial(trust.root, () => ({ publicKey: key, validFor: () => true }));
  } else {
    material = toTrustMaterial(trust.root);
  }
  if (entity.key.$case === 'certificate' && policy.mode === 'key') {
    return {
      lines: [line('signature', false, 'the bundle is signed with a certificate, not with a public key')]
    };
  }
  if (entity.key.$case === 'public-key' && policy.mode === 'keyless') {
    return {
      lines: [line('signature', false, 'the bundle is signed with a public key; verify it in key mode')]
    };
  }
  const keyless = policy.mode === 'keyless';
  const verifier = new Verifier(
    material,
    keyless ? {} : { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }
  ) as unknown as VerifierStages;

  let variantsMatched: (() => DsseVariant | undefined) | undefined;
  if (options.modelSigning && loaded.bundle.content.$case === 'dsseEnvelope') {
    const keySpki =
      spki ?? (entity.key.$case === 'certificate' ? entity.key.certificate.publicKey : undefined);
    if (keySpki) {
      const wrapped = withVariants(
        entity.signature,
        loaded.bundle.content.dsseEnvelope,
        dsseVariants(loaded, keySpki)
      );
      entity = { ...entity, signature: wrapped.content };
      variantsMatched = wrapped.matched;
    }
  }

  const timestamps = attempt(() => verifier.verifyTimestamps(entity));
  const hasTimestamps = entity.timestamps.length > 0;
  if (keyless || hasTimestamps) {
    lines.push(
      line(
        'timestamp',
        !!timestamps.value,
        timestamps.value ? timestampReason(entity, timestamps.value) : timestamps.error!
      )
    );
  }
  const verified = attempt(() => verifier.verifySigningKey(entity, timestamps.value ?? []));
  let info: SignerInfo | undefined;
  let signer = verified;
  if (entity.key.$case === 'certificate') {
    info = describeCertificate(entity.key.certificate);
    if (info.repeatedExtensions) signer = { error: repeatedReason(info.repeatedExtensions) };
    const sctFailed = !info.repeatedExtensions && !!signer.error && /SCT/.test(signer.error);
    lines.push(
      line(
        'chain',
        !!signer.value || sctFailed,
        signer.value || sctFailed ? `chains to a CA in ${trust.summary.origin}` : signer.error!
      )
    );
    lines.push(
      line(
        'sct',
        !!signer.value,
        signer.value
          ? 'embedded SCT verified against a trusted CT log'
          : sctFailed
            ? signer.error!
            : 'not checked: no trusted chain'
      )
    );
  } else if (signer.error) {
    lines.push(line('signature', false, signer.error));
  }
  if (keyless || entity.tlogEntries.length > 0) {
    const tlogs = attempt(() => verifier.verifyTLogs(entity));
    const n = entity.tlogEntries.length;
    lines.push(
      line(
        'tlog',
        !tlogs.error,
        tlogs.error ?? `${n} log entr${n === 1 ? 'y' : 'ies'} verified against ${trust.summary.origin}`
      )
    );
  }
  // Keyless: only a key the trust chain vouched for is used. After a failed link (chain, SCT) the leaf is
  // untrusted data, and its key (possibly crafted to be costly) is never used for the signature check.
  const key = signer.value?.key ?? (keyless ? undefined : userKey);
  if (!key && keyless && entity.key.$case === 'certificate') {
    lines.push(line('signature', false, 'not checked: the certificate is not trusted (see above)'));
  } else if (key) {
    const sig = attempt(() => verifier.verifySignature(entity, { key }));
    const how =
      variantsMatched?.()?.label ??
      (loaded.bundle.content.$case === 'dsseEnvelope' ? 'DSSE envelope' : 'message signature');
    const against =
      policy.mode === 'key' ? `the given public key (${keyKind(spki!)})` : 'the certificate key';
    lines.push(signatureLine(!sig.error, `verified against ${against}, ${how}`, sig.error));
  }
  if (keyless) {
    if (!info) lines.push(line('identity', false, 'no certificate: nothing to match the identity against'));
    else {
      const checked = attempt(() => checkIdentity(policy, info.identities, info.issuer));
      lines.push(line('identity', !!checked.value?.ok, checked.value?.reason ?? checked.error!));
    }
  }
  return {
    lines,
    signer:
      info ??
      (spki
        ? {
            kind: 'key',
            keyKind: keyKind(spki),
            keyFingerprint: keyFingerprint(spki),
            identities: [],
            claims: []
          }
        : undefined),
    trust: trust.summary
  };
}

function certificateMode(
  loaded: LoadedBundle,
  entity: SignedEntity,
  caPem: string,
  options: BundleCheckOptions
): Omit<BundleCheck, 'ok' | 'signatureValid'> {
  const material = loaded.bundle.verificationMaterial.content;
  if (entity.key.$case !== 'certificate' || material.$case === 'publicKey') {
    return { lines: [line('chain', false, 'the bundle carries no certificate')] };
  }
  const leaf = entity.key.certificate;
  const info = describeCertificate(leaf);
  const lines: CheckLine[] = [];
  const chain = attempt(() => {
    const roots = onlyBlocks(caPem, 'CERTIFICATE', 'certificate chain file').map((der) =>
      X509Certificate.parse(Buffer.from(der))
    );
    const intermediates =
      material.$case === 'x509CertificateChain'
        ? material.x509CertificateChain.certificates
            .slice(1)
            .map((c) => X509Certificate.parse(Buffer.from(c.rawBytes)))
        : [];
    // The chain is checked at the leaf's notBefore, as model_signing does: these bundles carry no timestamp.
    const path = verifyCertificateChain(leaf.notBefore, leaf, [
      { certChain: [...roots, ...intermediates], validFor: ALL_TIME }
    ]);
    const anchor = path[path.length - 1];
    if (!roots.some((r) => r.equals(anchor)))
      throw new Error('the chain does not end at a certificate you supplied');
    if (!allowsSigning(leaf))
      throw new Error('the leaf certificate allows neither digitalSignature nor codeSigning');
    if (info.repeatedExtensions) throw new Error(repeatedReason(info.repeatedExtensions));
    return path.length;
  });
  lines.push(
    line(
      'chain',
      !!chain.value,
      chain.value
        ? `${chain.value}-certificate path to your CA, checked at ${leaf.notBefore.toISOString()}`
        : chain.error!
    )
  );
  if (!chain.value) {
    // Stop at the first failed link: an untrusted leaf's key is not used.
    lines.push(line('signature', false, 'not checked: the certificate does not chain to your CA'));
    return { lines, signer: info };
  }
  const variants = options.modelSigning ? dsseVariants(loaded, leaf.publicKey) : [];
  const key = crypto.createPublicKey(leaf.publicKey);
  if (variants.length > 0 && loaded.bundle.content.$case === 'dsseEnvelope') {
    const wrapped = withVariants(entity.signature, loaded.bundle.content.dsseEnvelope, variants);
    const ok = attempt(() => wrapped.content.verifySignature(key));
    lines.push(
      signatureLine(
        !!ok.value,
        `verified against the leaf certificate key (${info.keyKind}), ${wrapped.matched()?.label}`,
        ok.error
      )
    );
  } else {
    const ok = attempt(() => entity.signature.verifySignature(key));
    lines.push(
      signatureLine(!!ok.value, `verified against the leaf certificate key (${info.keyKind})`, ok.error)
    );
  }
  return { lines, signer: info };
}
