export { verifyModelSignature, type VerifyModelInput, type VerificationResult } from './verify-model';
export { verifyArtifactBundle, type VerifyArtifactInput, type ArtifactResult } from './verify-artifact';
export { verifySignedBundle, type SignerPolicy, type BundleCheck } from './verify-bundle';
export type { CheckLine, CheckId } from './checklist';
export type { ModelFile, FileDiff, Mismatch } from './model-diff';
export type { SignerInfo, SignerClaim } from './certificate-info';
export {
  publicGoodTrustRoot,
  parseTrustRootText,
  trustRootFromJSON,
  type LoadedTrustRoot,
  type TrustRootSummary
} from './trust-root';
export { digestWithHashWasm, type SourceDigester } from './range-digest';
export { rootDigest, parseModelStatement, type SignedManifest } from './model-manifest';
