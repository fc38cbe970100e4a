import type { FormatScanner } from '../types';

const MAGIC = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

/** 7z archives are recognised so that they are never called clean: their members are not analysed. */
export const sevenZipFormat: FormatScanner = {
  id: '7z',
  label: '7z archive',
  sniff: (probe) => probe.head.length >= MAGIC.length && MAGIC.every((b, i) => probe.head[i] === b),
  async scan(_src, ctx) {
    ctx.incomplete(
      '7z archive not analysed: Safeload does not unpack 7z, and its members can hold pickles that a loader (e.g. via py7zr) would run.',
      0
    );
  }
};
