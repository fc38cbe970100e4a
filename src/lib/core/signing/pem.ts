import { fromBase64, toBase64 } from '../bytes/base64';

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const MAX_PEM_TEXT = 1024 * 1024;

/** Every PEM block in a text; any preamble (OpenSSL's "Certificate:" dump, comments) is skipped. */
export function pemBlocks(text: string): PemBlock[] {
  if (text.length > MAX_PEM_TEXT) throw new Error(`PEM text is larger than ${MAX_PEM_TEXT} bytes`);
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2].replace(/\s+/g, '');
    const der = /^[A-Za-z0-9+/]*={0,2}$/.test(body) ? fromBase64(body) : null;
    if (!der) throw new Error(`PEM block ${m[1]} is not valid base64`);
    blocks.push({ label: m[1], der });
  }
  return blocks;
}

export function onlyBlocks(text: string, label: string, what: string): Uint8Array[] {
  const found = pemBlocks(text).filter((b) => b.label === label);
  if (found.length === 0) throw new Error(`no "${label}" PEM block found in the ${what}`);
  return found.map((b) => b.der);
}

/** A DER value as a PEM block ("PUBLIC KEY" for a SubjectPublicKeyInfo), 64 characters a line. */
export function toPem(label: string, der: Uint8Array): string {
  const body = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${body.join('\n')}\n-----END ${label}-----\n`;
}
