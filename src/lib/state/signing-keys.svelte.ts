import type { Manifest } from '../core/provenance/manifest';
import type { KnownKey } from '../core/provenance/manifest-signature';
import { manifestPayload } from '../core/provenance/signed-manifest';
import { dssePae, IN_TOTO_PAYLOAD_TYPE, p256DerSignature } from '../core/signing/dsse-sign';
import { keyFingerprint } from '../core/signing/key-fingerprint';
import { onlyBlocks, toPem } from '../core/signing/pem';
import type { IdbKeyStore, TrustedKey } from '../storage/key-idb';

export const OWN_KEY_LABEL = 'your key';
const MAX_LABEL = 100;

export interface OwnKey {
  fingerprint: string;
  publicKeyPem: string;
  createdAt: string;
}

function messageOf(err: unknown): string {
  const e = err as { message?: unknown };
  return (typeof e?.message === 'string' ? e.message : String(err)).slice(0, 300);
}

/**
 * The analyst's signing key (ECDSA P-256, private half non-extractable, kept in IndexedDB) and the public
 * keys they trust. Keyless Sigstore signing is not offered: it needs an OIDC provider plus Fulcio and Rekor,
 * which this offline app never contacts.
 */
export class SigningKeys {
  own = $state.raw<OwnKey | null>(null);
  trusted = $state.raw<TrustedKey[]>([]);
  loaded = $state(false);
  busy = $state(false);
  error = $state('');
  /** Every public key a signature can be checked with, the analyst's own first. */
  readonly known: KnownKey[] = $derived([
    ...(this.own ? [{ label: OWN_KEY_LABEL, publicKeyPem: this.own.publicKeyPem }] : []),
    ...this.trusted.map((k) => ({ label: k.label, publicKeyPem: k.publicKeyPem }))
  ]);

  #store: IdbKeyStore | null = null;
  #privateKey: CryptoKey | null = null;
  #spki: Uint8Array | null = null;

  constructor(
    private readonly openStore: () => Promise<IdbKeyStore>,
    private readonly subtle: SubtleCrypto = globalThis.crypto.subtle
  ) {}

  async #with<T>(action: (store: IdbKeyStore) => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = '';
    try {
      this.#store ??= await this.openStore();
      return await action(this.#store);
    } catch (err) {
      this.error = messageOf(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async load(): Promise<void> {
    await this.#with(async (store) => {
      const own = await store.own();
      this.#privateKey = own?.privateKey ?? null;
      this.#spki = own ? new Uint8Array(own.spki) : null;
      this.own = own ? this.#describe(new Uint8Array(own.spki), own.createdAt) : null;
      this.trusted = await store.trusted();
      this.loaded = true;
    });
  }

  #describe(spki: Uint8Array, createdAt: string): OwnKey {
    return { fingerprint: keyFingerprint(spki), publicKeyPem: toPem('PUBLIC KEY', spki), createdAt };
  }

  /** Makes the analyst's key pair; the private key can sign here but can never be exported. */
  async create(): Promise<void> {
    await this.#with(async (store) => {
      const pair = await this.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
        'sign',
        'verify'
      ]);
      const spki = new Uint8Array(await this.subtle.exportKey('spki', pair.publicKey));
      const createdAt = new Date().toISOString();
      await store.saveOwn({ privateKey: pair.privateKey, spki, createdAt });
      this.#privateKey = pair.privateKey;
      this.#spki = spki;
      this.own = this.#describe(spki, createdAt);
    });
  }

  /** Deletes the key from this browser: what it signed stays verifiable with its exported public key. */
  async forget(): Promise<void> {
    await this.#with(async (store) => {
      await store.deleteOwn();
      this.#privateKey = null;
      this.#spki = null;
      this.own = null;
    });
  }

  /** Signs a manifest's in-toto Statement (DSSE), making the key first if there is none. */
  readonly signManifest = async (
    manifest: Manifest
  ): Promise<{ signature: Uint8Array; publicKey: Uint8Array }> => {
    if (!this.#privateKey) await this.create();
    const key = this.#privateKey;
    const spki = this.#spki;
    if (!key || !spki) throw new Error(this.error || 'No signing key is available in this browser.');
    const pae = dssePae(IN_TOTO_PAYLOAD_TYPE, manifestPayload(manifest));
    const p1363 = new Uint8Array(
      await this.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, pae as BufferSource)
    );
    return { signature: p256DerSignature(p1363), publicKey: spki };
  };

  /** Trusts a colleague's public key (PEM) under a name; signatures by it then show that name. */
  async trust(pem: string, label: string): Promise<boolean> {
    let spki: Uint8Array;
    try {
      const blocks = onlyBlocks(pem, 'PUBLIC KEY', 'pasted text');
      if (blocks.length !== 1) throw new Error('paste exactly one public key');
      spki = blocks[0];
    } catch (err) {
      this.error = `That is not a usable public key: ${messageOf(err)}`;
      return false;
    }
    const name = label.trim().slice(0, MAX_LABEL) || 'trusted key';
    const saved = await this.#with(async (store) => {
      const key: TrustedKey = {
        fingerprint: keyFingerprint(spki),
        label: name,
        publicKeyPem: toPem('PUBLIC KEY', spki),
        addedAt: new Date().toISOString()
      };
      await store.saveTrusted(key);
      this.trusted = await store.trusted();
      return true;
    });
    return saved ?? false;
  }

  async untrust(fingerprint: string): Promise<void> {
    await this.#with(async (store) => {
      await store.deleteTrusted(fingerprint);
      this.trusted = await store.trusted();
    });
  }
}
