import type { ByteSource } from '../bytes/byte-source';
import { isNpy } from '../formats/numpy';
import { isNpzLayout } from '../formats/numpy/npz-layout';
import { startsWithLegacyMagic } from '../formats/pytorch/legacy';
import { torchZipLayout } from '../formats/pytorch/zip-layout';
import { startsWithLocalHeader } from '../formats/zip';
import { ConvertError } from './errors';
import type { ExtractOptions, Extraction } from './extraction';
import { extractNpy, extractNpz } from './numpy-arrays';
import { extractTorchLegacy } from './torch-legacy';
import { extractTorchZip } from './torch-zip';
import { ZipMembers } from './zip-members';

/** Whether a file's first bytes look like something `extractTensors` reads (for offering the action). */
export function looksConvertible(head: Uint8Array): boolean {
  return isNpy(head) || startsWithLegacyMagic(head) || startsWithLocalHeader(head);
}

/**
 * Finds the tensors of a PyTorch checkpoint (zip or legacy) or a NumPy .npy/.npz without executing
 * anything. Throws ConvertError when the file cannot be converted faithfully.
 */
export async function extractTensors(src: ByteSource, options: ExtractOptions): Promise<Extraction> {
  const head = await src.read(0, 512);
  if (isNpy(head)) return extractNpy(src, options);
  // torch.load reads any file that is not a zip as a legacy checkpoint, whatever its first pickle computes.
  if (startsWithLegacyMagic(head) || head[0] === 0x80) return extractTorchLegacy(src, options);
  if (startsWithLocalHeader(head)) {
    const zip = await ZipMembers.open(src, options.limits.maxArchiveEntries);
    if (torchZipLayout(zip.names)) return extractTorchZip(src, zip, options);
    if (isNpzLayout(zip.names)) return extractNpz(zip, options);
    throw new ConvertError('this zip is neither a PyTorch checkpoint nor a NumPy .npz');
  }
  if (head.length >= 262 && new TextDecoder('latin1').decode(head.subarray(257, 262)) === 'ustar') {
    throw new ConvertError('tar checkpoints (torch before 0.4) are not converted');
  }
  throw new ConvertError('this is not a PyTorch checkpoint (zip or legacy) or a NumPy .npy/.npz file');
}
