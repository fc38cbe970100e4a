import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A dropped folder as the browser lists it: every file with its "/"-separated relative path and size. */
export function walkFiles(base: string): { path: string; size: number }[] {
  const out: { path: string; size: number }[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) visit(full);
      else out.push({ path: relative(base, full).split(sep).join('/'), size: st.size });
    }
  };
  visit(base);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
