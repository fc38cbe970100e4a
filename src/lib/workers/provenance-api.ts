import type { LocalLayout } from '../core/provenance';
import type { Manifest } from '../core/provenance/manifest';
import type { ManifestForm } from '../core/provenance/manifest-document';
import type { KnownKey, ManifestSignature } from '../core/provenance/manifest-signature';

/** A dropped file as the provenance worker sees it: its path, size and the File handle (never its bytes). */
export interface LayoutEntry {
  path: string;
  size: number;
  file: File;
}

/** A manifest as opened from a file or a link: the manifest, its form, and who (if anyone) signed it. */
export interface OpenedManifest {
  manifest: Manifest;
  form: ManifestForm;
  signature: ManifestSignature;
  /** For a signature that verified: the signature and key, so the manifest can be shared on still signed. */
  seal: { signature: Uint8Array; publicKey: Uint8Array } | null;
}

/** The API exposed by provenance.worker.ts: every read of a dropped file's bytes for provenance happens there. */
export interface ProvenanceWorkerApi {
  /** Recognises a `--local-dir` download or a hub cache folder by reading its small metadata files. */
  detectLayout(entries: LayoutEntry[]): Promise<LocalLayout | null>;
  /**
   * Reads and validates a manifest file in any exported form (JSON, YAML, in-toto Statement, signed bundle;
   * size-bounded) and checks its signature against the known keys; rejects with a coded ManifestError
   * (the `code` survives the worker boundary).
   */
  readManifest(file: File, known: KnownKey[]): Promise<OpenedManifest>;
  /** The same for a `#m=` share link (the fragment or a whole URL; a ShareLinkError too); no request is made. */
  openLink(urlOrFragment: string, known: KnownKey[]): Promise<OpenedManifest>;
}
