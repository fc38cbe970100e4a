import { parse } from 'yaml';

/**
 * Reads a YAML manifest. Safeload's YAML has no aliases; refusing them rules out alias bombs. Imported on
 * demand (most manifests are JSON) through this ES module: a dynamic import of the `yaml` package itself
 * would give the split CLI bundle only its CommonJS default export.
 */
export function readYamlManifest(text: string): unknown {
  return parse(text, { maxAliasCount: 0, uniqueKeys: true });
}
