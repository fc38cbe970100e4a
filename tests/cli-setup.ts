// Vitest global setup: tests run the `safeload` command, so its bundle is brought up to date once, first.
import { ensureCliBuilt } from '../scripts/build-cli.mjs';

export default async function buildCli(): Promise<void> {
  await ensureCliBuilt();
}
