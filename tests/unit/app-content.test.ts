import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES } from '../../src/lib/components/samples';
import { ANALYSERS } from '../../src/lib/core/formats';
import { connectHosts } from '../../src/lib/server/csp';
import { formatCatalog, staleNotes } from '../../src/lib/server/format-catalog';
import config from '../../svelte.config.js';

const ROOT = join(import.meta.dirname, '../..');

describe('what the home and About pages say', () => {
  it('lists every registered format, and no note outlives its format', () => {
    expect(formatCatalog().map((f) => f.id)).toEqual(ANALYSERS.map((f) => f.id));
    expect(staleNotes()).toEqual([]);
  });

  it('names exactly the hosts the CSP lets the page connect to', () => {
    const allowed = config.kit.csp.directives['connect-src'].filter((s: string) => s !== 'self');
    expect(connectHosts().map((h) => `https://${h.host}`)).toEqual(allowed);
  });

  it('ships sample files that are the test fixtures, byte for byte', () => {
    for (const sample of SAMPLES) {
      const shipped = readFileSync(join(ROOT, 'static/samples', sample.name));
      expect(shipped.equals(readFileSync(join(ROOT, 'tests/fixtures', sample.fixture))), sample.name).toBe(
        true
      );
    }
  });

  it('has a web app manifest whose icons exist', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'static/manifest.webmanifest'), 'utf8'));
    expect(manifest.display).toBe('standalone');
    expect(manifest.start_url).toBe('./');
    for (const icon of manifest.icons)
      expect(() => readFileSync(join(ROOT, 'static', icon.src))).not.toThrow();
    expect(manifest.icons.some((i: { purpose?: string }) => i.purpose === 'maskable')).toBe(true);
  });
});
