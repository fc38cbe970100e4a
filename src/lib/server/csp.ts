import config from '../../../svelte.config.js';

const PURPOSES: Record<string, string> = {
  'huggingface.co': 'the Hugging Face Hub, when you fetch a commit’s file list',
  'api.osv.dev': 'OSV, when you check dependencies online'
};

export interface ConnectHost {
  host: string;
  purpose?: string;
}

/** The hosts the page's Content-Security-Policy lets it connect to, besides itself (from svelte.config.js). */
export function connectHosts(): ConnectHost[] {
  const sources: string[] = config.kit.csp.directives['connect-src'] ?? [];
  return sources
    .filter((s) => /^https:\/\//.test(s))
    .map((s) => {
      const host = s.replace(/^https:\/\//, '').replace(/\/.*$/, '');
      return PURPOSES[host] ? { host, purpose: PURPOSES[host] } : { host };
    });
}
