import { readFile } from 'node:fs/promises';
import { parseTrustRootText } from '../core/signing/trust-root';
import type { SignerPolicy } from '../core/signing/verify-bundle';
import { CliError, UsageError } from './errors';

/** Who must have signed, as `verify` and `gate` take it on the command line. */
export interface SignerOptions {
  identity?: string;
  issuer?: string;
  key?: string;
  chain?: string;
  trustedRoot?: string;
}

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('INPUT_UNREADABLE', `cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/** At most one of keyless (--identity/--issuer), --key and --certificate-chain; 'none' when none is given. */
export function signerMode(o: SignerOptions): 'keyless' | 'key' | 'certificate' | 'none' {
  const modes = [
    o.identity !== undefined || o.issuer !== undefined,
    o.key !== undefined,
    o.chain !== undefined
  ];
  if (modes.filter(Boolean).length > 1)
    throw new UsageError('choose one of --identity ID --issuer URL, --key PEM, --certificate-chain PEM');
  if (modes[0] && (!o.identity || !o.issuer)) throw new UsageError('--identity and --issuer go together');
  return modes[0] ? 'keyless' : modes[1] ? 'key' : modes[2] ? 'certificate' : 'none';
}

/** Reads the key, CA chain and trusted root files named on the command line into a signer policy. */
export async function signerPolicy(o: SignerOptions): Promise<SignerPolicy | null> {
  const mode = signerMode(o);
  if (mode === 'none') return null;
  const trustRoot = o.trustedRoot
    ? parseTrustRootText(await readText(o.trustedRoot, 'trusted root'), o.trustedRoot)
    : undefined;
  if (mode === 'key') return { mode: 'key', publicKeyPem: await readText(o.key!, 'public key'), trustRoot };
  if (mode === 'certificate')
    return { mode: 'certificate', caPem: await readText(o.chain!, 'certificate chain') };
  return { mode: 'keyless', identity: o.identity!, issuer: o.issuer!, trustRoot };
}
