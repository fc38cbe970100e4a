import { Buffer } from 'buffer';
import { createSHA256, createSHA384, createSHA512, type IHasher } from 'hash-wasm';
import type { ByteSource } from '../bytes/byte-source';
import { chunks } from '../bytes/chunks';
import { parseBundleJson } from './bundle-load';
import type { SignerInfo } from './certificate-info';
import { errorMessage, line, type CheckLine } from './checklist';
import type { TrustRootSummary } from './trust-root';
import { verifySignedBundle, type SignerPolicy } from './verify-bundle';

export interface VerifyArtifactInput {
  bundle: string | unknown;
  policy: SignerPolicy;
  /** The artifact the bundle covers (message signature) or the in-toto subject (DSSE). */
  artifact?: ByteSource;
  /** Message signatures are checked over the bytes themselves, so those artifacts are read whole up to this size. */
  maxMessageBytes?: number;
  signal?: AbortSignal;
}

export interface StatementSubject {
  name: string;
  digest: Record<string, string>;
}

export interface ArtifactResult {
  verified: boolean;
  /** The signature is genuine; only the signer's identity may not match the policy. */
  signatureValid: boolean;
  lines: CheckLine[];
  signer?: SignerInfo;
  trust?: TrustRootSummary;
  statement?: { predicateType?: string; subjects: StatementSubject[] };
}

const DEFAULT_MAX_MESSAGE = 256 * 1024 * 1024;
const MAX_SUBJECTS = 10_000;
const HASHERS: Record<string, () => Promise<IHasher>> = {
  sha256: createSHA256,
  sha384: createSHA384,
  sha512: createSHA512
};

async function digests(
  source: ByteSource,
  algorithms: string[],
  signal?: AbortSignal
): Promise<Record<string, string>> {
  const hashers = await Promise.all(algorithms.map(async (a) => [a, await HASHERS[a]()] as const));
  for (const [, h] of hashers) h.init();
  for await (const { bytes } of chunks(source, { signal })) for (const [, h] of hashers) h.update(bytes);
  return Object.fromEntries(hashers.map(([a, h]) => [a, h.digest('hex')]));
}

function contentKind(json: unknown): 'dsse' | 'message' | undefined {
  const o = json as { dsseEnvelope?: unknown; messageSignature?: unknown } | null;
  if (o && typeof o === 'object' && o.dsseEnvelope) return 'dsse';
  if (o && typeof o === 'object' && o.messageSignature) return 'message';
  return undefined;
}

function readSubjects(payload: Uint8Array): ArtifactResult['statement'] {
  const statement = JSON.parse(Buffer.from(payload).toString('utf8')) as {
    predicateType?: unknown;
    subject?: unknown;
  };
  const raw = Array.isArray(statement.subject) ? statement.subject.slice(0, MAX_SUBJECTS) : [];
  const subjects = raw
    .filter((s): s is { name?: unknown; digest?: unknown } => typeof s === 'object' && s !== null)
    .map((s) => ({
      name: typeof s.name === 'string' ? s.name : '',
      digest: Object.fromEntries(
        Object.entries(typeof s.digest === 'object' && s.digest ? s.digest : {})
          .filter(([, v]) => typeof v === 'string')
          .map(([k, v]) => [k, (v as string).toLowerCase()])
      )
    }));
  return {
    predicateType: typeof statement.predicateType === 'string' ? statement.predicateType : undefined,
    subjects
  };
}

/** Verifies a Sigstore bundle over one artifact: a message signature, or an in-toto attestation (SLSA, npm). */
export async function verifyArtifactBundle(input: VerifyArtifactInput): Promise<ArtifactResult> {
  let json: unknown;
  try {
    json = typeof input.bundle === 'string' ? parseBundleJson(input.bundle) : input.bundle;
  } catch (err) {
    return { verified: false, signatureValid: false, lines: [line('bundle', false, errorMessage(err))] };
  }
  const kind = contentKind(json);
  let artifactBytes: Uint8Array | undefined;
  if (kind === 'message' && input.artifact) {
    const max = input.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    if (input.artifact.size > max) {
      return {
        verified: false,
        signatureValid: false,
        lines: [
          line(
            'subject',
            false,
            `message signatures are checked in memory; the artifact is over ${max} bytes`
          )
        ]
      };
    }
    artifactBytes = await input.artifact.read(0, input.artifact.size);
  }
  if (kind === 'message' && !artifactBytes) {
    return {
      verified: false,
      signatureValid: false,
      lines: [line('subject', false, 'a message signature needs the artifact it signs')]
    };
  }
  const signed = verifySignedBundle(json, input.policy, { artifact: artifactBytes });
  const lines = [...signed.lines];
  const result: ArtifactResult = {
    verified: false,
    signatureValid: signed.signatureValid,
    lines,
    signer: signed.signer,
    trust: signed.trust
  };
  if (kind === 'message' && signed.signatureValid) {
    lines.push(
      line('subject', true, `the signature covers ${input.artifact!.name} (${input.artifact!.size} bytes)`)
    );
  }
  if (kind === 'dsse' && signed.signatureValid && signed.payload) {
    try {
      result.statement = readSubjects(signed.payload.bytes);
    } catch (err) {
      lines.push(line('subject', false, `payload is not an in-toto statement: ${errorMessage(err)}`));
    }
    if (result.statement && input.artifact) {
      const wanted = [...new Set(result.statement.subjects.flatMap((s) => Object.keys(s.digest)))].filter(
        (a) => a in HASHERS
      );
      if (wanted.length === 0) {
        lines.push(line('subject', false, 'no subject carries a sha256/sha384/sha512 digest to compare'));
      } else {
        const actual = await digests(input.artifact, wanted, input.signal);
        const hit = result.statement.subjects.find((s) => {
          const common = Object.keys(s.digest).filter((a) => a in actual);
          return common.length > 0 && common.every((a) => s.digest[a] === actual[a]);
        });
        lines.push(
          line(
            'subject',
            !!hit,
            hit
              ? `${input.artifact.name} matches subject ${hit.name || '(unnamed)'}`
              : `${input.artifact.name} (${wanted.map((a) => `${a}:${actual[a].slice(0, 16)}…`).join(', ')}) matches no subject`
          )
        );
      }
    }
  }
  result.verified = lines.every((l) => l.ok);
  return result;
}
