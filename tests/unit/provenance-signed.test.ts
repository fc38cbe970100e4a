import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify
} from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/lib/core/bytes/base64';
import { inTotoStatement } from '../../src/lib/core/provenance/in-toto';
import { sealManifest, type Manifest } from '../../src/lib/core/provenance/manifest';
import { openShareLink, parseManifestText } from '../../src/lib/core/provenance/manifest-document';
import { checkManifestSignature } from '../../src/lib/core/provenance/manifest-signature';
import { shareLink } from '../../src/lib/core/provenance/share-link';
import { manifestPayload, signedManifestBundle } from '../../src/lib/core/provenance/signed-manifest';
import { toYaml } from '../../src/lib/core/provenance/yaml';
import { dssePae, IN_TOTO_PAYLOAD_TYPE, p256DerSignature } from '../../src/lib/core/signing/dsse-sign';
import { keyFingerprint } from '../../src/lib/core/signing/key-fingerprint';
import { fixture, manifestOf, scanFiles } from './policy-fixtures';

/** An analyst key as the app makes it: WebCrypto ECDSA P-256, the private half not extractable. */
async function webCryptoKey() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify'
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const pem = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
  const signManifest = async (m: Manifest) => {
    const pae = dssePae(IN_TOTO_PAYLOAD_TYPE, manifestPayload(m));
    const p1363 = new Uint8Array(
      await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, pae as BufferSource)
    );
    return p256DerSignature(p1363);
  };
  return { pair, spki, pem, fingerprint: keyFingerprint(spki), signManifest };
}

let manifest: Manifest;

beforeAll(async () => {
  const reports = await scanFiles([
    ['model.safetensors', fixture('safetensors/tiny-benign.safetensors')],
    ['pytorch_model.bin', fixture('models/torch_zip_os_system.pt')]
  ]);
  manifest = await manifestOf(reports);
});

async function resealed(m: Manifest, edit: (body: Manifest) => void): Promise<Manifest> {
  const copy = structuredClone(m);
  edit(copy);
  const { digest: _old, ...body } = copy;
  return sealManifest(body);
}

describe('every manifest export loads back', () => {
  it('JSON, YAML and the in-toto Statement give back the same manifest', async () => {
    for (const [text, form] of [
      [JSON.stringify(manifest, null, 2), 'manifest'],
      [toYaml(manifest, 'Safeload provenance manifest'), 'manifest'],
      [JSON.stringify(inTotoStatement(manifest), null, 2), 'in-toto']
    ] as const) {
      const doc = await parseManifestText(text);
      expect(doc.form).toBe(form);
      expect(doc.manifest).toEqual(JSON.parse(JSON.stringify(manifest)));
      expect(doc.manifest.digest.value).toBe(manifest.digest.value);
    }
  });

  it('refuses an edited YAML manifest, an edited in-toto Statement and other documents', async () => {
    const yaml = toYaml(manifest).replace('"pytorch_model.bin"', '"pytorch_model2.bin"');
    await expect(parseManifestText(yaml)).rejects.toThrow(/altered or corrupted/);
    const statement = inTotoStatement(manifest);
    statement.subject[0].digest.sha256 = 'f'.repeat(64);
    await expect(parseManifestText(JSON.stringify(statement))).rejects.toThrow(/Statement was altered/);
    const old = { ...inTotoStatement(manifest), predicate: { ...inTotoStatement(manifest).predicate } };
    delete (old.predicate as Partial<typeof old.predicate>).manifest;
    await expect(parseManifestText(JSON.stringify(old))).rejects.toThrow(/does not hold its manifest/);
    await expect(parseManifestText('a: &x [1]\nb: *x\n')).rejects.toThrow(/neither JSON nor YAML/);
    await expect(parseManifestText('{"hello": 1}')).rejects.toThrow(/Not a Safeload manifest/);
  });
});

describe('signed manifests and links', () => {
  it('a WebCrypto P-256 signature, made DER, verifies with OpenSSL (Node) over the DSSE PAE', async () => {
    const key = await webCryptoKey();
    const der = await key.signManifest(manifest);
    const pae = dssePae(IN_TOTO_PAYLOAD_TYPE, manifestPayload(manifest));
    expect(verify('sha256', pae, createPublicKey(key.pem), der)).toBe(true);
    // Low-S form, as strict verifiers want, also from a high-S input (the mirror of a valid signature).
    const low = p256.Signature.fromBytes(der, 'der');
    expect(low.hasHighS()).toBe(false);
    const high = new p256.Signature(low.r, p256.Point.CURVE().n - low.s);
    expect(high.hasHighS()).toBe(true);
    const normalised = p256DerSignature(high.toBytes('compact'));
    expect(p256.Signature.fromBytes(normalised, 'der').hasHighS()).toBe(false);
    expect(verify('sha256', pae, createPublicKey(key.pem), normalised)).toBe(true);
    expect(() => p256DerSignature(new Uint8Array(63))).toThrow(/64 bytes/);
  });

  it('a signed bundle verifies with the known key, names the key otherwise, and breaks when edited', async () => {
    const key = await webCryptoKey();
    const bundle = signedManifestBundle(manifest, await key.signManifest(manifest), key.fingerprint);
    const doc = await parseManifestText(JSON.stringify(bundle));
    expect(doc.form).toBe('signed');
    expect(doc.manifest.digest.value).toBe(manifest.digest.value);
    expect(checkManifestSignature(doc, [{ label: 'your key', publicKeyPem: key.pem }])).toMatchObject({
      state: 'verified',
      fingerprint: key.fingerprint,
      knownAs: 'your key'
    });
    expect(checkManifestSignature(doc, [])).toEqual({ state: 'unknown-key', fingerprint: key.fingerprint });
    // A hint in another tool's format: the known key that verifies is still found, under its own fingerprint.
    const otherHint = {
      ...bundle,
      verificationMaterial: { ...bundle.verificationMaterial, publicKey: { hint: 'k1' } }
    };
    const hinted = await parseManifestText(JSON.stringify(otherHint));
    const stranger = await webCryptoKey();
    expect(
      checkManifestSignature(hinted, [
        { label: 'stranger', publicKeyPem: stranger.pem },
        { label: 'your key', publicKeyPem: key.pem }
      ])
    ).toMatchObject({ state: 'verified', knownAs: 'your key', fingerprint: key.fingerprint });
    expect(checkManifestSignature(hinted, [{ label: 'stranger', publicKeyPem: stranger.pem }])).toEqual({
      state: 'unknown-key',
      fingerprint: 'k1'
    });
    // Another manifest re-sealed with the app's own code, under the original signature.
    const forged = await resealed(manifest, (m) => (m.files[1].sha256 = 'e'.repeat(64)));
    const swapped = {
      ...bundle,
      dsseEnvelope: {
        ...bundle.dsseEnvelope,
        payload: Buffer.from(manifestPayload(forged)).toString('base64')
      }
    };
    const forgedDoc = await parseManifestText(JSON.stringify(swapped));
    expect(checkManifestSignature(forgedDoc, [{ label: 'your key', publicKeyPem: key.pem }])).toMatchObject({
      state: 'invalid'
    });
  });

  it('a signed share link verifies on open; a re-sealed forgery is unsigned or invalid, never verified', async () => {
    const key = await webCryptoKey();
    const signature = await key.signManifest(manifest);
    const link = shareLink('https://safeload.example/provenance', manifest, {
      signature,
      publicKey: key.spki
    });
    expect(link).toMatch(/#m=[A-Za-z0-9_-]+&sig=[A-Za-z0-9_-]+&key=[A-Za-z0-9_-]+$/);
    const opened = await openShareLink(link);
    expect(opened.doc.form).toBe('signed');
    // Valid, by a key this reader does not know: the fingerprint is shown, not a name.
    expect(checkManifestSignature(opened.doc, [], opened.carriedKeyPem!)).toMatchObject({
      state: 'verified',
      fingerprint: key.fingerprint,
      knownAs: null
    });
    expect(
      checkManifestSignature(opened.doc, [{ label: 'Alice', publicKeyPem: key.pem }], opened.carriedKeyPem!)
    ).toMatchObject({ state: 'verified', knownAs: 'Alice' });

    const forged = await resealed(manifest, (m) => (m.files[0].size += 1));
    const unsigned = await openShareLink(shareLink('https://safeload.example/provenance', forged));
    expect(checkManifestSignature(unsigned.doc, [], unsigned.carriedKeyPem ?? undefined)).toEqual({
      state: 'unsigned'
    });
    const tampered = `${shareLink('https://safeload.example/provenance', forged)}${link.slice(link.indexOf('&sig='))}`;
    const t = await openShareLink(tampered);
    expect(checkManifestSignature(t.doc, [], t.carriedKeyPem!)).toMatchObject({ state: 'invalid' });
    // Half a signature is damage, not "unsigned".
    await expect(openShareLink(link.slice(0, link.indexOf('&key=')))).rejects.toThrow(/half a signature/);
  });

  it('another key re-signing a forgery verifies only as that key, with its own fingerprint', async () => {
    const analyst = await webCryptoKey();
    const attacker = await webCryptoKey();
    const forged = await resealed(manifest, (m) => (m.files[0].size += 1));
    const link = shareLink('https://x.example/', forged, {
      signature: await attacker.signManifest(forged),
      publicKey: attacker.spki
    });
    const opened = await openShareLink(link);
    const result = checkManifestSignature(
      opened.doc,
      [{ label: 'your key', publicKeyPem: analyst.pem }],
      opened.carriedKeyPem!
    );
    expect(result).toMatchObject({ state: 'verified', knownAs: null, fingerprint: attacker.fingerprint });
    expect(attacker.fingerprint).not.toBe(analyst.fingerprint);
  });

  it('a Node-made P-256 key signs the same bundle format (what others use with --key)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const pae = dssePae(IN_TOTO_PAYLOAD_TYPE, manifestPayload(manifest));
    const der = new Uint8Array(
      nodeSign('sha256', pae, createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })))
    );
    const bundle = signedManifestBundle(manifest, der, keyFingerprint(spki));
    expect(fromBase64(bundle.dsseEnvelope.signatures[0].sig)).toEqual(der);
    const doc = await parseManifestText(JSON.stringify(bundle));
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(checkManifestSignature(doc, [{ label: 'ci', publicKeyPem: pem }]).state).toBe('verified');
  });
});
