/** Finds which folder of a drop corresponds to the repo root, so "drop/bert/config.json" matches "config.json". */

function directoryPrefixes(path: string): string[] {
  const prefixes = [''];
  let at = path.indexOf('/');
  while (at !== -1) {
    prefixes.push(path.slice(0, at + 1));
    at = path.indexOf('/', at + 1);
  }
  return prefixes;
}

/**
 * Returns the prefix (ending in "/", or "") to strip from dropped paths. With the expected paths known, the
 * prefix under which most dropped files land on an expected path wins (the shortest on a tie). Otherwise a
 * `--local-dir` download's `.cache/huggingface` marks the root, else the folder every path shares.
 */
export function detectFolderRoot(localPaths: readonly string[], expectedPaths?: readonly string[]): string {
  if (expectedPaths && expectedPaths.length > 0) {
    const expected = new Set(expectedPaths);
    const votes = new Map<string, number>();
    for (const p of localPaths)
      for (const prefix of directoryPrefixes(p))
        if (expected.has(p.slice(prefix.length))) votes.set(prefix, (votes.get(prefix) ?? 0) + 1);
    let best: string | null = null;
    for (const [prefix, n] of votes) {
      const current = best === null ? -1 : votes.get(best)!;
      if (n > current || (n === current && prefix.length < best!.length)) best = prefix;
    }
    if (best !== null) return best;
  }
  const marker = localPaths
    .map((p) => p.indexOf('.cache/huggingface/'))
    .filter((i) => i !== -1)
    .sort((a, b) => a - b)[0];
  if (marker !== undefined) {
    const withMarker = localPaths.find((p) => p.indexOf('.cache/huggingface/') === marker)!;
    return withMarker.slice(0, marker);
  }
  return commonFolder(localPaths);
}

function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let prefix = paths[0].slice(0, paths[0].lastIndexOf('/') + 1);
  for (const p of paths)
    while (prefix !== '' && !p.startsWith(prefix))
      prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  return prefix;
}
