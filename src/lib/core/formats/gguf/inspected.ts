import { INSPECT_LIMITS, inspectedText } from '../../inspected';
import type { ScanContext } from '../types';
import { GGML_TYPES } from './ggml-types';
import type { GgufFile } from './parse';

/** The metadata keys (type and value) and the tensor table of a GGUF header, as far as it was read. */
export function inspectGguf(file: GgufFile, ctx: ScanContext): void {
  if (!ctx.inspect) return;
  const kept = new Map(file.strings.map((s) => [s.key, s.value]));
  const keys = [...file.keys].slice(0, INSPECT_LIMITS.maxEntries);
  ctx.inspect({
    kind: 'metadata',
    title: `GGUF v${file.version} metadata`,
    entries: keys.map(([key, { type, value }]) => ({
      key: inspectedText(key),
      type,
      value: inspectedText(kept.get(key) ?? value ?? '', INSPECT_LIMITS.maxValue)
    })),
    total: file.kvCount
  });
  // Tensor offsets count from the data area, known only once the whole header was read.
  if (file.dataStart === 0) return;
  ctx.inspect({
    kind: 'tensors',
    tensors: file.tensors.slice(0, INSPECT_LIMITS.maxTensors).map((t) => {
      const start = file.dataStart + t.offset;
      return {
        name: inspectedText(t.name),
        dtype: GGML_TYPES.get(t.type)?.name ?? `type ${t.type}`,
        shape: t.dims,
        start,
        end: t.bytes === undefined ? null : start + t.bytes
      };
    }),
    total: file.tensorCount,
    dataStart: file.dataStart
  });
}
