import type { ByteSource } from '../../bytes/byte-source';
import type { FormatScanner, ScanContext } from '../types';

/** PROTO 2, LONG1 10 bytes: the pickled magic number torch's _legacy_save writes first. */
const MAGIC_PICKLE = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
export const LEGACY_PROTOCOL = 1001;

export function startsWithLegacyMagic(head: Uint8Array): boolean {
  return head.length >= MAGIC_PICKLE.length && MAGIC_PICKLE.every((b, i) => head[i] === b);
}

function isMagic(value: unknown): boolean {
  try {
    return (
      (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string') &&
      BigInt(value) === LEGACY_MAGIC
    );
  } catch {
    return false;
  }
}

/**
 * torch < 1.6 `_legacy_save`: pickles for the magic number, protocol version, sys_info, the payload and the
 * storage keys, then raw storage bytes. torch.load unpickles exactly those five and reads the rest raw, so
 * this scanner has the file's one pickle reading (ctx.analysePickle) stop after five pickles and ignore the
 * bytes after them: each pickle is analysed and reported once, and storage bytes are never misread as opcodes.
 */
export const pytorchLegacyFormat: FormatScanner = {
  id: 'pytorch-legacy',
  label: 'PyTorch legacy (torch < 1.6)',
  sniff: (probe) => startsWithLegacyMagic(probe.head),
  async scan(src: ByteSource, ctx: ScanContext) {
    const result = await ctx.analysePickle({ maxPickles: 5, trailing: 'ignore' });
    if (!isMagic(result.firstValue)) {
      ctx.report({
        ruleId: 'pytorch.legacy-magic',
        severity: 'medium',
        title: 'Legacy PyTorch magic number is not a plain value',
        message:
          'The file starts like a legacy PyTorch checkpoint but its first pickle is not the literal magic number torch.load expects. Something computes it instead: the first pickle runs before any check.',
        offset: 0
      });
    }
    if (result.pickles < 5) {
      ctx.report({
        ruleId: 'pytorch.legacy-structure',
        severity: 'low',
        title: 'Legacy PyTorch file is incomplete',
        message: `Only ${result.pickles} of the 5 pickles a legacy checkpoint holds were found (magic, protocol, sys_info, payload, storage keys); torch.load would fail after running them.`,
        offset: result.end
      });
    }
    ctx.fact('legacy pickles', result.pickles);
    ctx.fact('storage references', result.persistentIds);
    ctx.fact('storage bytes', Math.max(0, src.size - result.end));
  }
};
