// The skip count of one runner: printed as the loud line, or written for scripts/test.mjs to sum.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureSkipLine } from './fixture-set.mjs';

/**
 * @param {string} runner
 * @param {{ suites: number, files: number }} skipped
 */
export function reportFixtureSkips(runner, skipped) {
  const dir = process.env.SAFELOAD_FIXTURE_SKIPS;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${runner}.json`), JSON.stringify(skipped));
  } else if (skipped.suites > 0) {
    process.stdout.write(`\n${fixtureSkipLine(skipped)}\n\n`);
  }
}

/**
 * The runners' counts written under `dir`, summed.
 * @param {string} dir
 */
export function sumFixtureSkips(dir) {
  const total = { suites: 0, files: 0 };
  let names;
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return total;
  }
  for (const name of names) {
    const one = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    total.suites += one.suites;
    total.files += one.files;
  }
  return total;
}
