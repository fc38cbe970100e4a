import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { terminalText } from '../core/report/escape';
import type { CheckLine } from '../core/signing/checklist';
import { isProvenancePayload, verifySignedManifest } from '../core/provenance/verify-signed-manifest';
import { parseBundleJson, unverifiedDssePayload } from '../core/signing/bundle-load';
import { verifyModelSignature } from '../core/signing/verify-model';
import { openModel } from '../node/model-files';
import { nodeDigester } from '../node/node-digester';
import { parseCommandLine } from './args';
import { CliError, UsageError } from './errors';
import { EXIT, type Io } from './io';
import { readText, signerMode, signerPolicy, type SignerOptions } from './signer-policy';

interface VerifyArgs {
  modelPath: string;
  signature: string;
  policy: SignerOptions;
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
  const policy: SignerOptions = {
    identity: v.identity,
    issuer: v.issuer,
    key: v.key,
    chain: v['certificate-chain'],
    trustedRoot: v['trusted-root']
  };
  if (signerMode(policy) === 'none')
    throw new UsageError('choose one of --identity ID --issuer URL, --key PEM, --certificate-chain PEM');
  const modelPath = parsed.positionals[0];
  return {
    modelPath,
    signature: v.signature ?? join(modelPath, 'model.sig'),
    policy,
    ignorePaths: (v['ignore-paths'] ?? []).flatMap((p) => p.split(',')).filter(Boolean),
    ignoreUnsignedFiles: v['ignore-unsigned-files'],
    json: v.json
  };
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
  const policy = (await signerPolicy(args.policy))!;
  let model;
  try {
    model = await openModel(args.modelPath);
  } catch (err) {
    throw new CliError('INPUT_UNREADABLE', `${args.modelPath}: ${(err as Error).message}`);
  }
  try {
    const root = model.singleFile ? dirname(resolve(args.modelPath)) : resolve(args.modelPath);
    const signaturePath = model.singleFile ? basename(args.signature) : modelRelative(root, args.signature);
    const ignorePaths = args.ignorePaths.map((p) => modelRelative(root, p));
    let json: unknown = bundle;
    try {
      json = parseBundleJson(bundle);
    } catch {
      // Not JSON: the model-signing check below reports it as a failed "bundle" line.
    }
    // A signed Safeload manifest: the files are checked against its hashes; otherwise OpenSSF model signing.
    const result = isProvenancePayload(unverifiedDssePayload(json))
      ? await verifySignedManifest({
          bundle: json,
          policy,
          files: model.singleFile
            ? model.files.map((f) => ({ ...f, path: basename(args.modelPath) }))
            : model.files,
          signaturePath,
          ignorePaths
        })
      : await verifyModelSignature({
          bundle: json,
          policy,
          files: model.files,
          signaturePath,
          ignorePaths,
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
