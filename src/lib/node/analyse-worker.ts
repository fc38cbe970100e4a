// A worker_threads entry (bundled as dist/cli/analyse-worker.mjs): hashes and scans the files it is sent, one
// at a time, so `safeload scan` reads several files at once across cores.
import { parentPort } from 'node:worker_threads';
import { analyseFile } from './analyse-file';
import type { AnalyseReply, AnalyseRequest } from './analyse-pool';

const port = parentPort;

async function answer(
  port: NonNullable<typeof parentPort>,
  { id, fsPath, path }: AnalyseRequest
): Promise<void> {
  let reply: AnalyseReply;
  try {
    reply = { id, report: await analyseFile(fsPath, path) };
  } catch (err) {
    reply = { id, error: String((err as Error)?.message ?? err) };
  }
  try {
    port.postMessage(reply);
  } catch (err) {
    port.postMessage({ id, error: `the report could not be passed on: ${(err as Error)?.message ?? err}` });
  }
}

if (port) port.on('message', (request: AnalyseRequest) => void answer(port, request));
