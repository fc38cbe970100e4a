// The Python with torch and numpy that differential tests compare against: $SAFELOAD_TORCH_PYTHON, else
// Debian's /usr/bin/python3 (apt-get install python3-torch python3-numpy). Without it those suites skip,
// loudly; SAFELOAD_REQUIRE_TORCH=1 (CI) or SAFELOAD_REQUIRE_FIXTURES=1 makes them run and fail instead.
import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';
import { FIXTURES_REQUIRED } from './shared-fixtures';

export const TORCH_PYTHON = process.env.SAFELOAD_TORCH_PYTHON ?? '/usr/bin/python3';

const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
export const HAS_TORCH = probe.status === 0;

const required = FIXTURES_REQUIRED || process.env.SAFELOAD_REQUIRE_TORCH === '1';

if (!HAS_TORCH && !required) {
  console.warn(
    `\n⚠ SKIPPED: differential tests against PyTorch — ${TORCH_PYTHON} cannot import torch and numpy` +
      ` (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}).` +
      '\n  Install them (Debian/Ubuntu: apt-get install python3-torch python3-numpy) or set SAFELOAD_TORCH_PYTHON.\n'
  );
}

/** `describe` for suites that need torch: skipped (with the warning above) when it is missing, unless required. */
export const describeTorch = HAS_TORCH || required ? describe : describe.skip;

/** Runs the Python with torch; throws with its stderr when it fails. */
export function runPython(args: string[], timeout = 300_000): string {
  const r = spawnSync(TORCH_PYTHON, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(`${TORCH_PYTHON} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}
