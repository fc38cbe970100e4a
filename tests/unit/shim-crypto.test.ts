import * as node from 'node:crypto';
import { isDeepStrictEqual as nodeDeepEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as shim from '../../src/lib/shims/crypto';
import { isDeepStrictEqual as shimDeepEqual } from '../../src/lib/shims/util';

// Differential tests: every answer of the browser shim must equal Node's own crypto on the same inputs.

type Variant = { name: string; sig: Buffer; data: Buffer };

function variants(data: Buffer, sig: Buffer): Variant[] {
  const flipped = Buffer.from(sig);
  flipped[flipped.length - 1] ^= 0x01;
  const otherData = Buffer.from(data);
  otherData[0] ^= 0x80;
  return [
    { name: 'valid', sig, data },
    { name: 'flipped signature bit', sig: flipped, data },
    { name: 'changed message', sig, data: otherData },
    { name: 'trailing byte', sig: Buffer.concat([sig, Buffer.from([0])]), data },
    { name: 'truncated', sig: sig.subarray(0, sig.length - 1), data },
    { name: 'empty', sig: Buffer.alloc(0), data }
  ];
}

/** The other valid ECDSA signature (r, n - s): OpenSSL accepts both, so the shim must too. */
function highS(der: Buffer, order: bigint): Buffer {
  const rLen = der[3];
  const r = der.subarray(4, 4 + rLen);
  const s = BigInt('0x' + der.subarray(6 + rLen).toString('hex'));
  const int = (n: bigint) => {
    let hex = n.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    let b = Buffer.from(hex, 'hex');
    if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, int(order - s)]);
  return body.length < 0x80
    ? Buffer.concat([Buffer.from([0x30, body.length]), body])
    : Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]);
}

const KEYS = 8;
const ORDERS: Record<string, bigint> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n
};

function compare(alg: string | undefined, v: Variant, spkiDer: Buffer, nodeKey: node.KeyObject) {
  let expected: boolean;
  try {
    expected = node.verify(alg, v.data, nodeKey, v.sig);
  } catch {
    expected = false;
  }
  const shimKey = shim.createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  expect(shim.verify(alg, v.data, shimKey, v.sig), `${alg} ${v.name}`).toBe(expected);
  return expected;
}

describe('crypto shim vs node:crypto — ECDSA', () => {
  for (const [curve, namedCurve] of [
    ['P-256', 'prime256v1'],
    ['P-384', 'secp384r1'],
    ['P-521', 'secp521r1']
  ] as const) {
    it(`${curve}: ${KEYS} keys × hashes × valid/tampered signatures agree`, () => {
      let validSeen = 0;
      for (let i = 0; i < KEYS; i++) {
        const { publicKey, privateKey } = node.generateKeyPairSync('ec', { namedCurve });
        const spki = publicKey.export({ format: 'der', type: 'spki' });
        expect(
          Buffer.from(
            shim
              .createPublicKey({ key: spki, format: 'der', type: 'spki' })
              .export({ format: 'der', type: 'spki' }) as Buffer
          )
        ).toEqual(spki);
        const data = node.randomBytes(1 + i * 37);
        for (const alg of [undefined, 'sha256', 'sha384', 'sha512']) {
          const sig = node.sign(alg ?? 'sha256', data, privateKey);
          for (const v of variants(data, sig))
            if (compare(alg, v, spki, publicKey) && v.name === 'valid') validSeen++;
          if (ORDERS[curve])
            compare(alg, { name: 'high S', sig: highS(sig, ORDERS[curve]), data }, spki, publicKey);
          const other = node.generateKeyPairSync('ec', { namedCurve }).publicKey;
          compare(
            alg,
            { name: 'wrong key', sig, data },
            other.export({ format: 'der', type: 'spki' }),
            other
          );
        }
        // A signature made with SHA-384 checked with the default (SHA-256) must fail in both.
        const sig384 = node.sign('sha384', data, privateKey);
        expect(compare(undefined, { name: 'hash mismatch', sig: sig384, data }, spki, publicKey)).toBe(false);
      }
      expect(validSeen).toBe(KEYS * 4);
    });
  }

  it('reads PEM keys, with PEM certificates giving their key', () => {
    const { publicKey } = node.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const k = shim.createPublicKey(pem);
    expect(k.asymmetricKeyType).toBe(publicKey.asymmetricKeyType);
    expect(k.asymmetricKeyDetails.namedCurve).toBe(publicKey.asymmetricKeyDetails?.namedCurve);
    expect(k.export({ format: 'pem', type: 'spki' })).toBe(pem);
  });

  it('refuses points that are not on the curve, as Node does', () => {
    const spki = node
      .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ format: 'der', type: 'spki' });
    const bad = Buffer.from(spki);
    bad[bad.length - 1] ^= 0x01;
    expect(() => node.createPublicKey({ key: bad, format: 'der', type: 'spki' })).toThrow();
    expect(() => shim.createPublicKey({ key: bad, format: 'der', type: 'spki' })).toThrow();
  });
});

describe('crypto shim vs node:crypto — Ed25519 and RSA', () => {
  it('Ed25519: 20 keys, valid and tampered signatures agree', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey, privateKey } = node.generateKeyPairSync('ed25519');
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      const data = node.randomBytes(i * 13);
      const sig = node.sign(null, data, privateKey);
      for (const v of variants(data, sig)) compare(undefined, v, spki, publicKey);
      expect(compare(undefined, { name: 'valid', sig, data }, spki, publicKey)).toBe(true);
    }
  });

  it('RSA PKCS#1 v1.5: 2048/3072-bit keys, SPKI and PKCS#1 forms, hashes, tampering agree', () => {
    for (const modulusLength of [2048, 2048, 3072]) {
      const { publicKey, privateKey } = node.generateKeyPairSync('rsa', { modulusLength });
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      const pkcs1 = publicKey.export({ format: 'der', type: 'pkcs1' });
      const fromPkcs1 = shim.createPublicKey({ key: pkcs1, format: 'der', type: 'pkcs1' });
      expect(Buffer.from(fromPkcs1.export({ format: 'der', type: 'spki' }) as Buffer)).toEqual(spki);
      const data = node.randomBytes(100);
      for (const alg of [undefined, 'sha1', 'sha256', 'sha384', 'sha512']) {
        const sig = node.sign(alg ?? 'sha256', data, privateKey);
        for (const v of variants(data, sig)) compare(alg, v, spki, publicKey);
        expect(compare(alg, { name: 'valid', sig, data }, spki, publicKey)).toBe(true);
        // PSS is a different scheme: PKCS#1 v1.5 verification must reject it in both.
        const pss = node.sign(alg ?? 'sha256', data, {
          key: privateKey,
          padding: node.constants.RSA_PKCS1_PSS_PADDING
        });
        expect(compare(alg, { name: 'pss', sig: pss, data }, spki, publicKey)).toBe(false);
      }
    }
  });
});

describe('crypto shim vs node:crypto — hashes and helpers', () => {
  it('createHash agrees for every algorithm, chunking and encoding', () => {
    for (const alg of [
      'sha1',
      'sha224',
      'sha256',
      'sha384',
      'sha512',
      'sha3-256',
      'sha3-384',
      'sha3-512',
      'SHA256'
    ]) {
      for (const size of [0, 1, 55, 64, 1000, 70_000]) {
        const data = node.randomBytes(size);
        const a = node
          .createHash(alg)
          .update(data.subarray(0, size >> 1))
          .update(data.subarray(size >> 1))
          .digest();
        const b = shim
          .createHash(alg)
          .update(data.subarray(0, size >> 1))
          .update(data.subarray(size >> 1))
          .digest();
        expect(Buffer.from(b)).toEqual(a);
      }
      expect(shim.createHash(alg).update('héllo').digest('hex')).toBe(
        node.createHash(alg).update('héllo').digest('hex')
      );
    }
    expect(() => shim.createHash('md4')).toThrow();
  });

  it('timingSafeEqual agrees, including the length error', () => {
    const a = node.randomBytes(32);
    const b = Buffer.from(a);
    expect(shim.timingSafeEqual(a, b)).toBe(node.timingSafeEqual(a, b));
    b[31] ^= 1;
    expect(shim.timingSafeEqual(a, b)).toBe(node.timingSafeEqual(a, b));
    expect(() => node.timingSafeEqual(a, a.subarray(1))).toThrow(RangeError);
    expect(() => shim.timingSafeEqual(a, a.subarray(1))).toThrow(RangeError);
  });

  it('util.isDeepStrictEqual agrees on the shapes @sigstore/verify compares', () => {
    const d = new Date(1_700_000_000_000);
    const values: unknown[] = [
      d,
      new Date(d.getTime()),
      new Date(d.getTime() + 1),
      { logID: Buffer.from('ab'), body: Buffer.from('cd') },
      { logID: Buffer.from('ab'), body: Buffer.from('cd') },
      { logID: Buffer.from('ab'), body: Buffer.from('ce') },
      { logID: Buffer.from('ab') },
      [1, 2, 3],
      [1, 2, '3'],
      [1, 2],
      { a: 1, b: undefined },
      { a: 1 },
      Buffer.from('ab'),
      new Uint8Array([0x61, 0x62]),
      NaN,
      0,
      -0,
      '0',
      null,
      undefined
    ];
    for (const x of values)
      for (const y of values)
        expect(shimDeepEqual(x, y), `${String(x)} vs ${String(y)}`).toBe(nodeDeepEqual(x, y));
  });
});
