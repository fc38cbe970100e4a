import type { ByteSource } from '../bytes/byte-source';
import { LEGACY_MAGIC, LEGACY_PROTOCOL } from '../formats/pytorch/legacy';
import { ConvertError, keepingCalls } from './errors';
import { fromPickle, stemOf, type ExtractOptions, type Extraction } from './extraction';
import { storedStorage, type StorageData } from './storage-data';
import { interpretTorchCall, StorageTable } from './torch-calls';
import { ValueUnpickler } from './unpickler';
import { Opaque, PyDict, PyList, type Value } from './values';

function isInt(v: Value, expected: bigint): boolean {
  return (typeof v === 'number' || typeof v === 'bigint') && BigInt(v) === expected;
}

/**
 * torch < 1.6 `_legacy_save`: five pickles (magic number, protocol version, sys_info, the object, the
 * storage keys), then each storage in key order as an 8-byte element count and its raw bytes.
 */
export async function extractTorchLegacy(src: ByteSource, options: ExtractOptions): Promise<Extraction> {
  const table = new StorageTable(true);
  const unpickler = new ValueUnpickler(
    src,
    0,
    options.limits,
    {
      persistentLoad: (pid) => table.load(pid),
      call: interpretTorchCall
    },
    options.signal
  );
  return keepingCalls(unpickler.notExecuted, () => readLegacy(src, table, unpickler));
}

async function readLegacy(
  src: ByteSource,
  table: StorageTable,
  unpickler: ValueUnpickler
): Promise<Extraction> {
  const notes: string[] = [];
  const magic = await unpickler.load();
  if (magic instanceof Opaque) {
    notes.push('the legacy magic number is computed by a call that was not executed, so it was not checked');
  } else if (!isInt(magic, LEGACY_MAGIC)) {
    throw new ConvertError('the legacy magic number is wrong (torch.load refuses the file)');
  }
  const protocol = await unpickler.load();
  if (!isInt(protocol, BigInt(LEGACY_PROTOCOL)) && !(protocol instanceof Opaque)) {
    throw new ConvertError('the legacy protocol version is not 1001 (torch.load refuses the file)');
  }
  const sysInfo = await unpickler.load();
  if (sysInfo instanceof PyDict && sysInfo.entries.get('s:little_endian')?.[1] === false) {
    throw new ConvertError('the checkpoint was written on a big-endian machine; it is not byte-swapped');
  }
  const root = await unpickler.load();
  const keys = await unpickler.load();
  if (!(keys instanceof PyList)) throw new ConvertError('the legacy storage key list is not a list');
  const storages = new Map<string, StorageData>();
  let offset = unpickler.position;
  for (const item of keys.items) {
    if (typeof item !== 'string' && typeof item !== 'number') {
      throw new ConvertError('a legacy storage key is not a string');
    }
    const key = String(item);
    const ref = table.byKey.get(key);
    if (!ref)
      throw new ConvertError(`legacy storage ${JSON.stringify(key.slice(0, 40))} is never referenced`);
    if (storages.has(key))
      throw new ConvertError(`legacy storage ${JSON.stringify(key.slice(0, 40))} is listed twice`);
    const count = await readCount(src, offset);
    if (count * ref.dtype.itemSize !== ref.nbytes) {
      throw new ConvertError(
        `legacy storage ${JSON.stringify(key.slice(0, 40))} holds ${count} elements but its id declares ${ref.nbytes / ref.dtype.itemSize}`
      );
    }
    if (offset + 8 + ref.nbytes > src.size) {
      throw new ConvertError(
        `legacy storage ${JSON.stringify(key.slice(0, 40))} runs past the end of the file`
      );
    }
    storages.set(key, storedStorage(src.sub(offset + 8, ref.nbytes), offset + 8));
    offset += 8 + ref.nbytes;
  }
  for (const key of table.byKey.keys()) {
    if (!storages.has(key)) {
      throw new ConvertError(`legacy storage ${JSON.stringify(key.slice(0, 40))} has no data in the file`);
    }
  }
  return fromPickle('pytorch-legacy', root, stemOf(src.name), storages, unpickler.notExecuted, notes);
}

async function readCount(src: ByteSource, offset: number): Promise<number> {
  const b = await src.read(offset, 8);
  if (b.length < 8) throw new ConvertError('the legacy storage data ends early', offset);
  const view = new DataView(b.buffer, b.byteOffset, 8);
  const hi = view.getUint32(4, true);
  if (hi >= 0x200000) throw new ConvertError('a legacy storage size is out of range', offset);
  return hi * 0x100000000 + view.getUint32(0, true);
}
