/** The key of a model version in a registry store. */
export function recordKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}
