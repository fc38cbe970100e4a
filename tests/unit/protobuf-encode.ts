/** A minimal protobuf encoder for building hostile and hand-made messages in tests. */
export function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

export const tag = (field: number, wire: number) => varint(field * 8 + wire);
export const vint = (field: number, n: number | bigint) => [...tag(field, 0), ...varint(n)];
export const bytes = (field: number, payload: number[] | Uint8Array) => [
  ...tag(field, 2),
  ...varint(payload.length),
  ...payload
];
export const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);
export const msg = (field: number, ...parts: number[][]) => bytes(field, parts.flat());
export const u8 = (...parts: number[][]) => Uint8Array.from(parts.flat());
