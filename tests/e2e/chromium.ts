import { CHROMIUM_ARGS, findChromium as locate } from './chromium-path.mjs';

export { CHROMIUM_ARGS };

/** The Chromium to test with (see chromium-path.mjs); throws with instructions when none is found. */
export function findChromium(): string {
  const found = locate();
  if (!found.path) throw new Error(found.help);
  return found.path;
}
