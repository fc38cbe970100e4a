import type { CheckLine } from '../core/signing/checklist';
import type { SignerInfo } from '../core/signing/certificate-info';
import type { BundleClaims } from '../core/signing/inspect-bundle';
import type { FileDiff } from '../core/signing/model-diff';
import type { TrustRootSummary } from '../core/signing/trust-root';
import type { ProgressCallback } from './file-job-api';

/** A dropped file handed to the signing worker; the main thread never reads its bytes. */
export interface SignedFileRef {
  /** Path relative to the folder that holds the bundle. */
  path: string;
  file: File;
  /** Whole-file SHA-256 from the hashing stage, when it finished: reused, never recomputed. */
  sha256?: string;
  /** The git blob id from the same stage (signed manifests compare it for non-LFS files). */
  gitSha1?: string;
}

/** PEM text pasted by the user, or a file they picked (read in the worker). */
export type PemInput = { text: string } | { file: File };

export type PolicyRequest =
  | { mode: 'keyless'; identity: string; issuer: string; match: 'exact' | 'regex' }
  | { mode: 'key'; publicKey: PemInput }
  | { mode: 'certificate'; ca: PemInput };

export interface SigningRequest {
  bundle: SignedFileRef;
  /** Every file beside the bundle (its folder, recursively), bundle included. */
  files: SignedFileRef[];
  policy: PolicyRequest;
  /** Another trusted_root.json or ClientTrustConfig; the built-in public-good root otherwise. */
  trustRoot?: File;
  ignorePaths: string[];
  ignoreUnsignedFiles: boolean;
  /** For a single-artifact bundle or a single-file model: which of `files` it covers (auto when absent). */
  target?: string;
}

export interface SigningResult {
  /** model: an OpenSSF model signature over a folder or file; artifact: a bundle over one artifact. */
  kind: 'model' | 'artifact';
  verified: boolean;
  /** The signature is genuine; when `verified` is false only the signer's identity did not match. */
  signatureValid: boolean;
  lines: CheckLine[];
  signer?: SignerInfo;
  trust?: TrustRootSummary;
  manifest?: {
    predicateType: string;
    modelName?: string;
    method: string;
    hashType: string;
    resources: number;
  };
  diff?: FileDiff;
  ignored: string[];
  /** The file a single-file model or an artifact bundle was checked against. */
  target?: string;
  statement?: { predicateType?: string; subjects: string[] };
}

export interface SigningWorkerApi {
  /** Summary of the built-in root, or of a user-supplied trusted root / ClientTrustConfig file. */
  trust(file?: File): Promise<TrustRootSummary>;
  verify(request: SigningRequest, onProgress: ProgressCallback): Promise<SigningResult>;
  /** What a bundle claims (signer, key, content) before anything is verified. */
  inspect(bundle: File): Promise<BundleClaims>;
  cancel(): void;
}
