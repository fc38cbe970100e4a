/** numpy.savez writes one `<key>.npy` member per array and nothing else. */
export function isNpzLayout(names: readonly string[]): boolean {
  const files = names.filter((n) => !n.endsWith('/'));
  return files.length > 0 && files.every((n) => n.endsWith('.npy'));
}
