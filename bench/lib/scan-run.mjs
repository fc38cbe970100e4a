export async function runScanBench() {
  return { skipped: 'not yet wired' };
}
