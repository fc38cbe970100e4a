/** Reported in JSON, SARIF and manifests; a test keeps it equal to package.json's version. */
export const SAFELOAD_VERSION = '0.1.0';
export const INFORMATION_URI = 'https://github.com/safeload/safeload';
