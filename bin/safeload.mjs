#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the CLI uses exactly the core the app ships.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/lib/cli/main.ts');
const io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
process.exitCode = await main(process.argv.slice(2), io);
