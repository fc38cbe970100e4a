/** A minimal strict DER reader: enough to take SubjectPublicKeyInfo, RSA keys and certificates apart. */
export interface Tlv {
  tag: number;
  /** Contents, without tag and length. */
  value: Uint8Array;
  /** The whole element, header included. */
  raw: Uint8Array;
}

export function readTlv(bytes: Uint8Array, offset = 0): Tlv & { end: number } {
  if (offset + 2 > bytes.length) throw new Error('DER: truncated header');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let len = bytes[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length encoding');
    if (pos + n > bytes.length) throw new Error('DER: truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos + i];
    if (len < 0x80 || bytes[pos] === 0) throw new Error('DER: non-minimal length');
    pos += n;
  }
  const end = pos + len;
  if (end > bytes.length) throw new Error('DER: truncated value');
  return { tag, value: bytes.subarray(pos, end), raw: bytes.subarray(offset, end), end };
}

/** The elements of a constructed value; its contents must be consumed exactly. */
export function children(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < value.length) {
    const t = readTlv(value, pos);
    out.push(t);
    pos = t.end;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new Error(`DER: expected ${what}`);
  return t;
}

/** One whole element that spans all of `bytes`. */
export function readOnly(bytes: Uint8Array, tag: number, what: string): Tlv {
  const t = readTlv(bytes, 0);
  if (t.end !== bytes.length) throw new Error(`DER: trailing bytes after ${what}`);
  return expectTag(t, tag, what);
}

export function oidToString(value: Uint8Array): string {
  if (value.length === 0) throw new Error('DER: empty OID');
  const parts: number[] = [];
  let n = 0;
  for (const b of value) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** A non-negative INTEGER (the leading zero that keeps it positive is allowed, nothing else). */
export function toBigInt(value: Uint8Array): bigint {
  if (value.length === 0 || value[0] & 0x80) throw new Error('DER: expected a positive INTEGER');
  if (value.length > 1 && value[0] === 0 && !(value[1] & 0x80)) throw new Error('DER: non-minimal INTEGER');
  let n = 0n;
  for (const b of value) n = (n << 8n) | BigInt(b);
  return n;
}

export const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30 } as const;
