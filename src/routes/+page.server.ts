import { formatCatalog } from '$lib/server/format-catalog';

/** Built once at prerender time from the scanner registry (the registry itself stays out of the page). */
export function load() {
  return { formats: formatCatalog().map(({ id, label, group }) => ({ id, label, group })) };
}
