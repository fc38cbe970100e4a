import { feedFile } from './hash-feed';
import type { FeedJob } from './hash-protocol';

// Started by hash-file.ts from inside a file-job worker: reads files and SHA-1s them so that the SHA-256
// thread never waits on reads. One message per job; each job brings its own MessagePort.
self.onmessage = ({ data }: MessageEvent<FeedJob>) => void feedFile(data);
