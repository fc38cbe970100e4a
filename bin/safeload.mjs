#!/usr/bin/env node
// The `safeload` command: runs the prebuilt bundle (dist/cli/safeload.mjs). In a checkout (scripts/ present,
// not in the published package) it first rebuilds the bundle if a source file changed since it was built.
import { existsSync } from 'node:fs';

const builder = new URL('../scripts/build-cli.mjs', import.meta.url);
if (existsSync(builder)) await (await import(builder.href)).ensureCliBuilt();
await import('../dist/cli/safeload.mjs');
