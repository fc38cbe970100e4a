import { connectHosts } from '$lib/server/csp';
import { formatCatalog } from '$lib/server/format-catalog';

/** Built once at prerender time: the format table from the scanner registry, the hosts from the CSP. */
export function load() {
  return { formats: formatCatalog(), hosts: connectHosts() };
}
