import { WireType } from './wire';

export interface HeadField {
  field: number;
  wire: number;
  value: number;
  start: number;
  length: number;
  /** False when a length-delimited payload continues past the bytes we have. */
  whole: boolean;
}

function varintAt(bytes: Uint8Array, pos: number, end: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && pos < end; i++) {
    const b = bytes[pos++];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, pos];
  }
  return undefined;
}

/**
 * Synchronous, best-effort parse of the fields in a prefix of a message (for sniffing). Returns undefined when
 * the bytes are not protobuf; stops quietly at the end of the available bytes. `total` is the message's real
 * length, so a payload that continues past the prefix is accepted only if it fits in the whole message.
 */
export function headFields(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  total = end - start,
  maxFields = 64
): HeadField[] | undefined {
  const out: HeadField[] = [];
  let pos = start;
  while (pos < end && out.length < maxFields) {
    const tag = varintAt(bytes, pos, end);
    if (!tag) return end - start < total ? out : undefined;
    const [t, afterTag] = tag;
    const field = Math.floor(t / 8);
    const wire = t % 8;
    if (field === 0) return undefined;
    if (wire === WireType.varint) {
      const v = varintAt(bytes, afterTag, end);
      if (!v) return end - start < total ? out : undefined;
      out.push({ field, wire, value: v[0], start: afterTag, length: v[1] - afterTag, whole: true });
      pos = v[1];
    } else if (wire === WireType.len) {
      const v = varintAt(bytes, afterTag, end);
      if (!v) return end - start < total ? out : undefined;
      const [length, dataStart] = v;
      if (dataStart - start + length > total) return undefined;
      const whole = dataStart + length <= end;
      out.push({ field, wire, value: 0, start: dataStart, length, whole });
      if (!whole) return out;
      pos = dataStart + length;
    } else if (wire === WireType.i32 || wire === WireType.i64) {
      const n = wire === WireType.i32 ? 4 : 8;
      out.push({ field, wire, value: 0, start: afterTag, length: n, whole: afterTag + n <= end });
      pos = afterTag + n;
    } else {
      return undefined;
    }
  }
  return out;
}
