// Provenance core: plain data in, plain data out, async where it touches the network or hashes.
export { captureFromHub } from './capture';
export { compareWithHub, type HubDrift } from './compare-hub';
export { detectFolderRoot } from './folder-root';
export { HubClient, type FetchLike } from './hub-client';
export { ManifestError } from './errors';
export { parseHubRef } from './hub-ref';
export { inTotoStatement } from './in-toto';
export { detectLocalLayout, type LocalLayout } from './local-layout';
export {
  expectedFromManifest,
  expectedFromRemote,
  manifestFromCapture,
  manifestLinks,
  type HubCapture,
  type Manifest
} from './manifest';
export {
  isHubBookkeeping,
  matchFiles,
  type ExpectedFile,
  type FileMatch,
  type LocalFile,
  type MatchResult
} from './match';
export { shareLink } from './share-link';
export { toYaml } from './yaml';
