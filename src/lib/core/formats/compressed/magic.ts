export type CompressionKind = 'gzip' | 'zlib' | 'bzip2' | 'xz' | 'lzma' | 'lz4';

const starts = (head: Uint8Array, bytes: number[]) =>
  head.length >= bytes.length && bytes.every((b, i) => head[i] === b);

/**
 * Recognises the compressed streams joblib (and gzip/.tar.gz users) write, by the same magic prefixes
 * joblib's loader checks, with a little more validation so that ordinary files are not claimed.
 */
export function compressionOf(head: Uint8Array): CompressionKind | undefined {
  if (starts(head, [0x1f, 0x8b, 0x08])) return 'gzip';
  if (head.length >= 2 && head[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(head[1])) return 'zlib';
  if (
    starts(head, [0x42, 0x5a, 0x68]) &&
    head[3] >= 0x31 &&
    head[3] <= 0x39 &&
    starts(head.subarray(4), [0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
  )
    return 'bzip2';
  if (starts(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (starts(head, [0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (isLzmaAlone(head)) return 'lzma';
  return undefined;
}

/** .lzma ("alone") header: properties byte, power-of-two-ish dictionary size, then the size or all 0xff. */
function isLzmaAlone(head: Uint8Array): boolean {
  if (head.length < 13 || head[0] !== 0x5d || head[1] !== 0x00) return false;
  const dict = (head[1] | (head[2] << 8) | (head[3] << 16)) + head[4] * 0x1000000;
  const unknownSize = head.subarray(5, 13).every((b) => b === 0xff);
  const sizeFits = head[11] === 0 && head[12] === 0;
  return dict >= 4096 && (unknownSize || sizeFits);
}
