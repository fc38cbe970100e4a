import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Bench-only build of the hashing lab (bench/lab), separate from the app.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: fileURLToPath(new URL('../.work/lab-dist', import.meta.url)),
    emptyOutDir: true
  }
});
