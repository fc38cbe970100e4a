// Provenance core: plain data in, plain data out, async where it touches the network or hashes.
export { captureFromHub, type CaptureOptions } from './capture';
export { compareWithHub, type HubDrift } from './compare-hub';
export { detectFolderRoot, stripRoot } from './folder-root';
export {
  HubClient,
  type ApiCall,
  type CommitInfo,
  type FetchLike,
  type HubClientOptions
} from './hub-client';
export { HubError, type HubErrorKind } from './hub-error';
export { HubRefError, hubUrls, parseHubRef, type HubRef, type RepoType } from './hub-ref';
export { inTotoStatement, type InTotoStatement } from './in-toto';
export { detectLocalLayout, type DroppedEntry, type LocalLayout, type ReadText } from './local-layout';
export {
  expectedFromManifest,
  expectedFromRemote,
  manifestFromCapture,
  manifestLinks,
  type HubCapture,
  type Manifest,
  type ManifestFile
} from './manifest';
export { ManifestError, parseManifest, parseManifestJson } from './manifest-parse';
export {
  isHubBookkeeping,
  matchFiles,
  type ExpectedFile,
  type FileMatch,
  type LocalFile,
  type MatchResult
} from './match';
export { hasRemoteCode, type RepoFacts } from './repo-facts';
export { decodeManifestFragment, encodeManifestFragment, shareLink, ShareLinkError } from './share-link';
export { toYaml } from './yaml';
