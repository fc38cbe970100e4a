import { INSPECT_LIMITS, inspectedText } from '../../inspected';
import type { ScanContext } from '../types';
import type { SafetensorsHeader } from './header';

/** The tensor table (name, dtype, shape, file offsets) and the __metadata__ entries, bounded. */
export function inspectSafetensors(header: SafetensorsHeader, ctx: ScanContext): void {
  if (!ctx.inspect) return;
  ctx.inspect({
    kind: 'tensors',
    tensors: header.tensors.slice(0, INSPECT_LIMITS.maxTensors).map((t) => ({
      name: inspectedText(t.name),
      dtype: inspectedText(t.dtype, 40),
      shape: t.shape.slice(0, 16),
      start: header.dataStart + t.start,
      end: header.dataStart + t.end
    })),
    total: header.tensors.length,
    dataStart: header.dataStart
  });
  if (header.metadata.size === 0) return;
  const entries = [...header.metadata].slice(0, INSPECT_LIMITS.maxEntries);
  ctx.inspect({
    kind: 'metadata',
    title: 'safetensors __metadata__',
    entries: entries.map(([key, value]) => ({
      key: inspectedText(key),
      value: inspectedText(value, INSPECT_LIMITS.maxValue)
    })),
    total: header.metadata.size
  });
}
