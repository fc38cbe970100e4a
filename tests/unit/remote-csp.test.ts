// The page may connect to the Hub's file hosts, and to nothing the remote reader would not follow a redirect to.
import { describe, expect, it } from 'vitest';
import config from '../../svelte.config.js';
import { HUB_FILE_ORIGINS } from '../../src/lib/core/remote/file-hosts';

describe('CSP connect-src', () => {
  it('lists the app, the Hub, OSV and exactly the hosts the Hub redirects file downloads to', () => {
    const connect = config.kit.csp.directives['connect-src'];
    expect(connect).toEqual(['self', 'https://huggingface.co', 'https://api.osv.dev', ...HUB_FILE_ORIGINS]);
    expect(new Set(connect).size).toBe(connect.length);
  });
});
