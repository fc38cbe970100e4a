export const BLOCK = 512;

export interface TarHeader {
  name: string;
  linkName: string;
  size: number;
  type: string;
  checksumOk: boolean;
  ustar: boolean;
}

const latin1 = new TextDecoder('latin1');

function cString(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return latin1.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** Octal (NUL/space padded) or GNU base-256 numbers; NaN when neither. */
export function tarNumber(block: Uint8Array, start: number, length: number): number {
  if (block[start] & 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i];
    value += (block[start] & 0x3f) * 256 ** (length - 1);
    return block[start] & 0x40 ? NaN : value;
  }
  const text = cString(block, start, length).trim();
  return /^[0-7]*$/.test(text) ? (text === '' ? 0 : parseInt(text, 8)) : NaN;
}

function checksumMatches(block: Uint8Array): boolean {
  const recorded = tarNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return recorded === unsigned || recorded === signed;
}

export function isZeroBlock(block: Uint8Array): boolean {
  return block.every((b) => b === 0);
}

export function parseTarHeader(block: Uint8Array): TarHeader {
  const ustar = cString(block, 257, 6).startsWith('ustar');
  const prefix = ustar ? cString(block, 345, 155) : '';
  const name = cString(block, 0, 100);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    linkName: cString(block, 157, 100),
    size: tarNumber(block, 124, 12),
    type: block[156] === 0 ? '0' : String.fromCharCode(block[156]),
    checksumOk: checksumMatches(block),
    ustar
  };
}

/** A plausible first tar header: ustar magic, or a v7 header whose checksum adds up. */
export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  const block = head.subarray(0, BLOCK);
  if (isZeroBlock(block)) return false;
  const header = parseTarHeader(block);
  return header.checksumOk && (header.ustar || (head[0] !== 0 && Number.isFinite(header.size)));
}

/** pax extended header records: "<len> key=value\n"… */
export function parsePaxRecords(bytes: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = new TextDecoder('utf-8').decode(bytes);
  let pos = 0;
  while (pos < text.length) {
    const space = text.indexOf(' ', pos);
    if (space < 0) break;
    const length = Number(text.slice(pos, space));
    if (!Number.isSafeInteger(length) || length <= 0) break;
    const record = text.slice(space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return out;
}
