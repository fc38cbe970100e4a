import { serve } from './comlink';
import { blobSource } from '../core/bytes/byte-source';
import { gitBlobSha1 } from '../core/hash/multi-digest';
import { digestWithHashWasm } from '../core/signing/range-digest';
import type { DigestWorkerApi } from './digest-api';

const api: DigestWorkerApi = {
  digest: (blob, start, length, hashType, onBytes) =>
    digestWithHashWasm(blobSource(blob, 'shard').sub(start, length), hashType, { onBytes }),
  gitBlobSha1: (blob) => gitBlobSha1(blobSource(blob, 'file'))
};

serve(api);
