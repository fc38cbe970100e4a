/** Every count, length, depth and size that comes from a file is bounded by one of these. */
export interface ScanLimits {
  /** Nesting of containers (zip in tar in zip …). */
  maxDepth: number;
  /** Opcodes analysed per pickle stream. */
  maxPickleOpcodes: number;
  /** Symbolic stack depth and memo entries. */
  maxPickleStack: number;
  maxPickleMemo: number;
  /** Bytes of one operand that are copied (strings used as names, etc.); larger ones are skipped by offset. */
  maxPickleOperandCopy: number;
  /** Pickles stacked in one stream. */
  maxStackedPickles: number;
  /** Archive members considered. */
  maxArchiveEntries: number;
  /** Decompressed bytes produced from one compressed member or stream. */
  maxDecompressedBytes: number;
  /** Decompressed : compressed ratio beyond which a member is treated as a bomb. */
  maxCompressionRatio: number;
  /** Total decompressed bytes for one top-level file. */
  maxTotalDecompressedBytes: number;
  /** Findings kept per file (the rest are counted). */
  maxFindings: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxDepth: 5,
  maxPickleOpcodes: 50_000_000,
  maxPickleStack: 100_000,
  maxPickleMemo: 1_000_000,
  maxPickleOperandCopy: 64 * 1024,
  maxStackedPickles: 64,
  maxArchiveEntries: 100_000,
  maxDecompressedBytes: 2 * 1024 ** 3,
  maxCompressionRatio: 1000,
  maxTotalDecompressedBytes: 8 * 1024 ** 3,
  maxFindings: 500
};
