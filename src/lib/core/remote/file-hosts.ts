/**
 * The hosts the Hub redirects `resolve/` file downloads to (LFS and Xet content delivery), as Hugging Face
 * documents them for proxies and firewalls. Range reads may follow a redirect only to these; the app's CSP
 * `connect-src` lists exactly these (tests/unit/remote-csp.test.ts keeps the two in step).
 */
export const HUB_FILE_HOSTS = [
  'us.aws.cdn.hf.co',
  'us.gcp.cdn.hf.co',
  'cas-bridge.xethub.hf.co',
  'cas-bridge.xethub-eu.hf.co',
  'cdn-lfs.hf.co',
  'cdn-lfs-us-1.hf.co',
  'cdn-lfs-eu-1.hf.co',
  'cdn-lfs.huggingface.co',
  'cdn-lfs-us-1.huggingface.co',
  'cdn-lfs-eu-1.huggingface.co'
] as const;

export const HUB_FILE_ORIGINS: readonly string[] = HUB_FILE_HOSTS.map((h) => `https://${h}`);
