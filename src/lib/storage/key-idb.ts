import { completion, settle } from './idb';

export const KEYS_DB_NAME = 'safeload-keys';
const VERSION = 1;
const OWN = 'own';
const TRUSTED = 'trusted';
const OWN_ID = 'signing-key';

/**
 * The analyst's signing key: a WebCrypto ECDSA P-256 pair whose private half is non-extractable, so it can
 * sign in this browser profile but its bytes can never be read out (IndexedDB stores the CryptoKey itself).
 */
export interface StoredSigningKey {
  privateKey: CryptoKey;
  /** DER SubjectPublicKeyInfo of the public half, for PEM export and the fingerprint. */
  spki: Uint8Array;
  createdAt: string;
}

/** A public key the analyst chose to trust (a colleague's), recognised when it signed a manifest or link. */
export interface TrustedKey {
  fingerprint: string;
  label: string;
  publicKeyPem: string;
  addedAt: string;
}

function open(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  const request = factory.open(name, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(OWN)) db.createObjectStore(OWN);
    if (!db.objectStoreNames.contains(TRUSTED)) db.createObjectStore(TRUSTED, { keyPath: 'fingerprint' });
  };
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab using an older version'));
  });
}

export class IdbKeyStore {
  constructor(private readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory = indexedDB, name = KEYS_DB_NAME): Promise<IdbKeyStore> {
    return new IdbKeyStore(await open(factory, name));
  }

  async own(): Promise<StoredSigningKey | null> {
    const tx = this.db.transaction(OWN, 'readonly');
    return ((await settle(tx.objectStore(OWN).get(OWN_ID))) as StoredSigningKey | undefined) ?? null;
  }

  async saveOwn(key: StoredSigningKey): Promise<void> {
    const tx = this.db.transaction(OWN, 'readwrite');
    tx.objectStore(OWN).put(key, OWN_ID);
    await completion(tx);
  }

  async deleteOwn(): Promise<void> {
    const tx = this.db.transaction(OWN, 'readwrite');
    tx.objectStore(OWN).delete(OWN_ID);
    await completion(tx);
  }

  async trusted(): Promise<TrustedKey[]> {
    const tx = this.db.transaction(TRUSTED, 'readonly');
    const all = (await settle(tx.objectStore(TRUSTED).getAll())) as TrustedKey[];
    return all.sort((a, b) => a.label.localeCompare(b.label));
  }

  async saveTrusted(key: TrustedKey): Promise<void> {
    const tx = this.db.transaction(TRUSTED, 'readwrite');
    tx.objectStore(TRUSTED).put({ ...key });
    await completion(tx);
  }

  async deleteTrusted(fingerprint: string): Promise<void> {
    const tx = this.db.transaction(TRUSTED, 'readwrite');
    tx.objectStore(TRUSTED).delete(fingerprint);
    await completion(tx);
  }
}
