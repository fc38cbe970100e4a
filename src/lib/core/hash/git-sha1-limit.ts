/**
 * Files up to this size get a git blob SHA-1 by default. The Hub stores every larger file in LFS/Xet, where it
 * lists the SHA-256, so the SHA-1 of a large file is only worth its CPU when a listing says otherwise (the
 * Provenance page then asks for it). Its own module so the UI can show the limit without loading a hasher.
 */
export const GIT_SHA1_MAX_BYTES = 10 * 1024 * 1024;

export function wantsGitSha1(size: number, maxBytes = GIT_SHA1_MAX_BYTES): boolean {
  return size <= maxBytes;
}
