import { DecodeError } from '../formats/pickle/text';

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * `str(b, "utf-8", "surrogatepass")`, as the unpickler decodes BINUNICODE: encoded lone surrogates
 * (ED A0..BF xx) become lone surrogates, so a name is never silently replaced by U+FFFD; any other
 * invalid sequence fails, as it does in Python.
 */
export function utf8SurrogatePass(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    let out = '';
    let start = 0;
    for (let i = 0; i + 2 < bytes.length; i++) {
      if (
        bytes[i] === 0xed &&
        bytes[i + 1] >= 0xa0 &&
        bytes[i + 1] <= 0xbf &&
        (bytes[i + 2] & 0xc0) === 0x80
      ) {
        out += decodeStrict(bytes.subarray(start, i));
        out += String.fromCharCode(0xd000 | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f));
        start = i + 3;
        i += 2;
      }
    }
    return out + decodeStrict(bytes.subarray(start));
  }
}

function decodeStrict(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new DecodeError('a string operand is not valid UTF-8');
  }
}
