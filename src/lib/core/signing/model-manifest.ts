import { Buffer } from 'buffer';
import { crypto } from '@sigstore/core';

export type HashType = 'sha256' | 'blake2b' | 'blake3';

export interface Serialization {
  method: 'files' | 'shards';
  hashType: HashType;
  shardSize?: number;
  allowSymlinks: boolean;
  /** Recorded from model_signing v1.1 on; otherwise empty. */
  ignorePaths: string[];
}

export interface ManifestEntry {
  /** Resource name: a relative POSIX path ("." for a single-file model), or "path:start:end" for a shard. */
  key: string;
  path: string;
  range?: { start: number; end: number };
  algorithm: string;
  digest: string;
}

export interface SignedManifest {
  predicateType: string;
  /** v1.0: the subject's name (informative); v0.2: not present. */
  modelName?: string;
  serialization: Serialization;
  entries: ManifestEntry[];
  /** v1.0 only: subject digest and the one recomputed from the resources. */
  root?: { signed: string; recomputed: string };
}

export const PREDICATE_V1 = 'https://model_signing/signature/v1.0';
export const PREDICATE_V01 = 'https://model_signing/Digests/v0.1';
export const MAX_RESOURCES = 1_000_000;
const HEX = /^[0-9a-f]+$/;
const DIGEST_BYTES: Record<HashType, number> = { sha256: 32, blake2b: 64, blake3: 32 };
const DEFAULT_SHARD = 1_000_000_000;

function fail(message: string): never {
  throw new Error(`model signature: ${message}`);
}

function obj(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') fail(`${what} is not a string`);
  return value;
}

function checkPath(path: string): string {
  if (path === '.') return path;
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..') || path.includes('\0')) {
    fail(`resource path ${JSON.stringify(path)} is not a normalised relative path`);
  }
  return path;
}

function parseSerialization(raw: unknown): Serialization {
  const s = obj(raw, 'predicate.serialization');
  const method = s.method;
  if (method !== 'files' && method !== 'shards')
    fail(`unsupported serialization method ${JSON.stringify(method)}`);
  const hashType = s.hash_type;
  if (hashType !== 'sha256' && hashType !== 'blake2b' && hashType !== 'blake3') {
    fail(`unsupported hash_type ${JSON.stringify(hashType)}`);
  }
  const ignore = s.ignore_paths === undefined ? [] : s.ignore_paths;
  if (!Array.isArray(ignore) || ignore.some((p) => typeof p !== 'string'))
    fail('ignore_paths is not a list of strings');
  let shardSize: number | undefined;
  if (method === 'shards') {
    shardSize = s.shard_size === undefined ? DEFAULT_SHARD : Number(s.shard_size);
    if (!Number.isSafeInteger(shardSize) || shardSize <= 0)
      fail(`invalid shard_size ${String(s.shard_size)}`);
  }
  return {
    method,
    hashType,
    shardSize,
    allowSymlinks: s.allow_symlinks === true,
    ignorePaths: ignore as string[]
  };
}

function parseKey(name: string, method: Serialization['method']): Pick<ManifestEntry, 'path' | 'range'> {
  if (method === 'files') return { path: checkPath(name) };
  const m = /^(.*):(\d+):(\d+)$/.exec(name);
  if (!m) fail(`shard resource ${JSON.stringify(name)} is not "path:start:end"`);
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start)
    fail(`invalid shard range in ${name}`);
  return { path: checkPath(m[1]), range: { start, end } };
}

/** SHA-256 over the concatenated raw resource digests, in the order listed (model_signing's subject digest). */
export function rootDigest(digests: string[]): string {
  return crypto.digest('sha256', ...digests.map((d) => Buffer.from(d, 'hex'))).toString('hex');
}

function parseV1(statement: Record<string, unknown>): SignedManifest {
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1)
    fail('a v1.0 statement must have exactly one subject');
  const subject = obj(subjects[0], 'subject');
  const signedRoot = str(obj(subject.digest, 'subject.digest').sha256, 'subject sha256 digest');
  const predicate = obj(statement.predicate, 'predicate');
  const serialization = parseSerialization(predicate.serialization);
  const resources = predicate.resources;
  if (!Array.isArray(resources)) fail('predicate.resources is not a list');
  if (resources.length > MAX_RESOURCES) fail(`more than ${MAX_RESOURCES} resources`);
  const entries = resources.map((r, i): ManifestEntry => {
    const res = obj(r, `resource ${i}`);
    const key = str(res.name, `resource ${i} name`);
    const algorithm = str(res.algorithm, `resource ${i} algorithm`);
    const digest = str(res.digest, `resource ${i} digest`).toLowerCase();
    if (!HEX.test(digest) || digest.length !== DIGEST_BYTES[serialization.hashType] * 2) {
      fail(`resource ${key}: digest is not ${DIGEST_BYTES[serialization.hashType]} bytes of hex`);
    }
    return { key, ...parseKey(key, serialization.method), algorithm, digest };
  });
  const keys = new Set(entries.map((e) => e.key));
  if (keys.size !== entries.length) fail('a resource is listed twice');
  const name = typeof subject.name === 'string' ? subject.name : undefined;
  return {
    predicateType: PREDICATE_V1,
    modelName: name,
    serialization,
    entries,
    root: { signed: signedRoot.toLowerCase(), recomputed: rootDigest(entries.map((e) => e.digest)) }
  };
}

function parseV01(statement: Record<string, unknown>): SignedManifest {
  const subjects = statement.subject;
  if (!Array.isArray(subjects)) fail('statement.subject is not a list');
  if (subjects.length > MAX_RESOURCES) fail(`more than ${MAX_RESOURCES} subjects`);
  const entries = subjects.map((s, i): ManifestEntry => {
    const subject = obj(s, `subject ${i}`);
    const key = checkPath(str(subject.name, `subject ${i} name`));
    const digest = str(
      obj(subject.digest, `subject ${i} digest`).sha256,
      `subject ${i} sha256`
    ).toLowerCase();
    if (!HEX.test(digest) || digest.length !== 64) fail(`subject ${key}: not a SHA-256 digest`);
    return { key, path: key, algorithm: 'sha256', digest };
  });
  if (new Set(entries.map((e) => e.key)).size !== entries.length) fail('a subject is listed twice');
  return {
    predicateType: PREDICATE_V01,
    serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
    entries
  };
}

/** Reads the model-signing manifest out of a (verified) in-toto statement payload. */
export function parseModelStatement(payload: Uint8Array): SignedManifest {
  let statement: Record<string, unknown>;
  try {
    statement = obj(JSON.parse(Buffer.from(payload).toString('utf8')), 'statement');
  } catch (err) {
    fail(`payload is not a JSON statement (${(err as Error).message})`);
  }
  if (statement._type !== 'https://in-toto.io/Statement/v1')
    fail(`unexpected statement type ${String(statement._type)}`);
  if (statement.predicateType === PREDICATE_V1) return parseV1(statement);
  if (statement.predicateType === PREDICATE_V01) return parseV01(statement);
  fail(`unsupported predicateType ${JSON.stringify(statement.predicateType)}`);
}

/** The algorithm name a resource carries under a serialization (files: hash type; shards: "sha256-sharded-N"). */
export function resourceAlgorithm(s: Serialization): string {
  return s.method === 'files' ? s.hashType : `${s.hashType}-sharded-${s.shardSize}`;
}
