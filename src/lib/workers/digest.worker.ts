import { serve } from './comlink';
import { blobSource } from '../core/bytes/byte-source';
import { digestWithHashWasm } from '../core/signing/range-digest';
import type { DigestWorkerApi } from './digest-api';

const api: DigestWorkerApi = {
  digest: (blob, start, length, hashType, onBytes) =>
    digestWithHashWasm(blobSource(blob, 'shard').sub(start, length), hashType, { onBytes })
};

serve(api);
