import type { ByteSource } from '../bytes/byte-source';
import { torchZipLayout } from '../formats/pytorch/zip-layout';
import { ConvertError, keepingCalls } from './errors';
import { fromPickle, stemOf, type ExtractOptions, type Extraction } from './extraction';
import { readRange, type StorageData } from './storage-data';
import { interpretTorchCall, StorageTable } from './torch-calls';
import { ValueUnpickler } from './unpickler';
import type { ZipMembers } from './zip-members';

/**
 * torch.save (torch ≥ 1.6): `<root>/data.pkl` is the pickle; each storage its persistent ids name is the
 * record `<root>/data/<key>`, exactly as many bytes as the id declares.
 */
export async function extractTorchZip(
  src: ByteSource,
  zip: ZipMembers,
  options: ExtractOptions
): Promise<Extraction> {
  const layout = torchZipLayout(zip.names);
  if (!layout) throw new ConvertError('the zip is not a PyTorch checkpoint (no data.pkl)');
  const prefix = layout.root ? `${layout.root}/` : '';
  await checkByteOrder(zip, `${prefix}byteorder`, options.signal);
  const pickle = await zip.small(`${prefix}data.pkl`);
  const table = new StorageTable(false);
  const unpickler = new ValueUnpickler(
    pickle,
    0,
    options.limits,
    { persistentLoad: (pid) => table.load(pid), call: interpretTorchCall },
    options.signal
  );
  const root = await keepingCalls(unpickler.notExecuted, () => unpickler.load());
  const storages = new Map<string, StorageData>();
  for (const [key, ref] of table.byKey) {
    const name = `${prefix}data/${key}`;
    const data = zip.storage(name);
    if (data.size !== ref.nbytes) {
      throw new ConvertError(
        `record ${JSON.stringify(name.slice(0, 120))} holds ${data.size} bytes but its storage declares ${ref.nbytes}`
      );
    }
    storages.set(key, data);
  }
  const notes = layout.torchScriptCode.length
    ? [`a TorchScript archive: its ${layout.torchScriptCode.length} code file(s) are not converted`]
    : [];
  return fromPickle('pytorch-zip', root, stemOf(src.name), storages, unpickler.notExecuted, notes);
}

/** torch.load byte-swaps checkpoints written on big-endian machines; we refuse them instead. */
async function checkByteOrder(zip: ZipMembers, name: string, signal?: AbortSignal): Promise<void> {
  if (!zip.entries.has(name)) return;
  const data = zip.storage(name);
  if (data.size > 16) throw new ConvertError('the byteorder record is not "little" or "big"');
  const text = new TextDecoder().decode(await readRange(data, 0, data.size, signal));
  if (text === 'little') return;
  throw new ConvertError(
    text === 'big'
      ? 'the checkpoint was written on a big-endian machine; converting it would need a byte swap, which is not done'
      : 'the byteorder record is not "little" or "big"'
  );
}
