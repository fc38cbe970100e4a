/** Where the service worker finds the list of every file the build emitted, relative to the site's base path. */
export const PRECACHE_LIST = '_app/precache.json';
