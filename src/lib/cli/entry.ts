// The `safeload` command in Node: the entry point of the prebuilt bundle (scripts/build-cli.mjs).
import { main } from './main';

const io = {
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`)
};
process.exitCode = await main(process.argv.slice(2), io);
