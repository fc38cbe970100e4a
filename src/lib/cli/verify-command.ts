import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { terminalText } from '../core/report/escape';
import type { CheckLine } from '../core/signing/checklist';
import { parseTrustRootText } from '../core/signing/trust-root';
import type { SignerPolicy } from '../core/signing/verify-bundle';
import { verifyModelSignature } from '../core/signing/verify-model';
import { openModel } from '../node/model-files';
import { nodeDigester } from '../node/node-digester';
import { parseCommandLine, UsageError } from './args';
import { EXIT, type Io } from './io';

interface VerifyArgs {
  modelPath: string;
  signature: string;
  policy: { identity?: string; issuer?: string; key?: string; chain?: string; trustedRoot?: string };
  ignorePaths: string[];
  ignoreUnsignedFiles: boolean;
  json: boolean;
}

function parseVerifyArgs(argv: string[]): VerifyArgs {
  const parsed = parseCommandLine(argv, {
    signature: { type: 'string' },
    identity: { type: 'string' },
    issuer: { type: 'string' },
    key: { type: 'string' },
    'certificate-chain': { type: 'string' },
    'trusted-root': { type: 'string' },
    'ignore-paths': { type: 'string', multiple: true },
    'ignore-unsigned-files': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false }
  });
  const v = parsed.values;
  if (parsed.positionals.length !== 1) throw new UsageError('verify needs exactly one MODEL_PATH');
  const modes = [
    v.identity !== undefined || v.issuer !== undefined,
    v.key !== undefined,
    v['certificate-chain'] !== undefined
  ];
  if (modes.filter(Boolean).length !== 1) {
    throw new UsageError('choose one of --identity ID --issuer URL, --key PEM, --certificate-chain PEM');
  }
  if (modes[0] && (!v.identity || !v.issuer)) throw new UsageError('--identity and --issuer go together');
  const modelPath = parsed.positionals[0];
  return {
    modelPath,
    signature: v.signature ?? join(modelPath, 'model.sig'),
    policy: {
      identity: v.identity,
      issuer: v.issuer,
      key: v.key,
      chain: v['certificate-chain'],
      trustedRoot: v['trusted-root']
    },
    ignorePaths: (v['ignore-paths'] ?? []).flatMap((p) => p.split(',')).filter(Boolean),
    ignoreUnsignedFiles: v['ignore-unsigned-files'] as boolean,
    json: v.json as boolean
  };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

async function buildPolicy(p: VerifyArgs['policy']): Promise<SignerPolicy> {
  const trustRoot = p.trustedRoot
    ? parseTrustRootText(await readText(p.trustedRoot, 'trusted root'), p.trustedRoot)
    : undefined;
  if (p.key) return { mode: 'key', publicKeyPem: await readText(p.key, 'public key'), trustRoot };
  if (p.chain) return { mode: 'certificate', caPem: await readText(p.chain, 'certificate chain') };
  return { mode: 'keyless', identity: p.identity!, issuer: p.issuer!, trustRoot };
}

/** Ignore paths are given relative to the current directory (as model_signing's CLI); the core wants model-relative. */
function modelRelative(modelRoot: string, path: string): string {
  const rel = relative(modelRoot, resolve(path));
  return rel.startsWith('..') ? path : rel.split(sep).join('/');
}

function render(lines: CheckLine[]): string {
  return lines.map((l) => terminalText(`${l.ok ? '✔' : '✘'} ${l.label}: ${l.reason}`)).join('\n');
}

export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const args = parseVerifyArgs(argv);
  const bundle = await readText(args.signature, 'signature');
  const policy = await buildPolicy(args.policy);
  let model;
  try {
    model = await openModel(args.modelPath);
  } catch (err) {
    io.err(`safeload: ${args.modelPath}: ${(err as Error).message}`);
    return EXIT.usage;
  }
  try {
    const root = model.singleFile ? dirname(resolve(args.modelPath)) : resolve(args.modelPath);
    const result = await verifyModelSignature({
      bundle,
      policy,
      files: model.files,
      signaturePath: model.singleFile ? basename(args.signature) : modelRelative(root, args.signature),
      ignorePaths: args.ignorePaths.map((p) => modelRelative(root, p)),
      ignoreUnsignedFiles: args.ignoreUnsignedFiles,
      digest: nodeDigester
    });
    for (const e of model.errors)
      io.err(`safeload: cannot read ${terminalText(e.path)}: ${terminalText(e.message)}`);
    for (const r of model.entries) {
      io.err(`safeload: ${terminalText(r.path)}: ${terminalText(r.findings[0]?.title ?? 'not a file')}`);
    }
    // An entry the signature cannot cover (a link out of the folder, a FIFO) leaves the model unverified.
    const verified = result.verified && model.entries.length === 0;
    if (args.json) io.out(JSON.stringify(result, null, 2));
    else {
      io.out(render(result.lines));
      io.out(verified ? 'Verification succeeded' : 'Verification failed');
    }
    if (model.errors.length > 0) return EXIT.usage;
    return verified ? EXIT.ok : EXIT.fail;
  } finally {
    await model.close();
  }
}
