import { OSV_API } from '../core/deps/osv-client';
import { parseCommandLine, parseMaxEntries } from './args';
import { UsageError } from './errors';
import { HUB_OPTIONS, hubOptionsFrom, type HubOptions } from './hub-args';
import { signerMode, type SignerOptions } from './signer-policy';

export interface GateArgs {
  path: string;
  policy?: string;
  manifest?: string;
  /** The public key a signed manifest must be signed with. */
  manifestKey?: string;
  signature?: string;
  /** Who must have signed model.sig: keyless identity, public key or certificate chain. */
  signer: SignerOptions;
  sarif?: string;
  cyclonedx?: string;
  report?: string;
  json: boolean;
  osvDb?: string;
  /** Set only with --online: the gate never reaches the network otherwise. */
  osvApi?: string;
  name?: string;
  modelVersion?: string;
  vendor?: string;
  license?: string;
  /** For a Hub repo read in place (hf://ORG/REPO[@REV] or a Hub URL). */
  hub: HubOptions;
  /** A scan that was not complete only warns (it fails the gate by default). */
  allowIncomplete: boolean;
  maxEntries?: number;
}

export function parseGateArgs(argv: string[]): GateArgs {
  const parsed = parseCommandLine(argv, {
    policy: { type: 'string' },
    manifest: { type: 'string' },
    'manifest-key': { type: 'string' },
    signature: { type: 'string' },
    identity: { type: 'string' },
    issuer: { type: 'string' },
    key: { type: 'string' },
    'certificate-chain': { type: 'string' },
    'trusted-root': { type: 'string' },
    sarif: { type: 'string' },
    cyclonedx: { type: 'string' },
    report: { type: 'string' },
    json: { type: 'boolean', default: false },
    'osv-db': { type: 'string' },
    online: { type: 'boolean', default: false },
    'osv-api': { type: 'string' },
    name: { type: 'string' },
    'model-version': { type: 'string' },
    vendor: { type: 'string' },
    license: { type: 'string' },
    'allow-incomplete': { type: 'boolean', default: false },
    'max-entries': { type: 'string' },
    ...HUB_OPTIONS
  });
  const v = parsed.values;
  if (parsed.positionals.length !== 1) throw new UsageError('gate needs exactly one model file or folder');
  const signer: SignerOptions = {
    identity: v.identity,
    issuer: v.issuer,
    key: v.key,
    chain: v['certificate-chain'],
    trustedRoot: v['trusted-root']
  };
  signerMode(signer);
  if (v['manifest-key'] && !v.manifest) throw new UsageError('--manifest-key needs --manifest');
  if (v['osv-db'] && v.online) throw new UsageError('--osv-db (offline) and --online exclude each other');
  if (v['osv-api'] && !v.online)
    throw new UsageError('--osv-api needs --online (the gate is offline by default)');
  const hub = hubOptionsFrom(v);
  if (typeof hub === 'string') throw new UsageError(hub);
  const api = v['osv-api'] ?? OSV_API;
  if (!/^https?:\/\//.test(api)) throw new UsageError('--osv-api must be an http(s) URL');
  return {
    path: parsed.positionals[0],
    policy: v.policy,
    manifest: v.manifest,
    manifestKey: v['manifest-key'],
    signature: v.signature,
    signer,
    sarif: v.sarif,
    cyclonedx: v.cyclonedx,
    report: v.report,
    json: v.json,
    osvDb: v['osv-db'],
    osvApi: v.online ? api : undefined,
    name: v.name,
    modelVersion: v['model-version'],
    vendor: v.vendor,
    license: v.license,
    allowIncomplete: v['allow-incomplete'],
    maxEntries: parseMaxEntries(v['max-entries']),
    hub
  };
}
