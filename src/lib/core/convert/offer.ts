import type { FileReport } from '../findings';

/** Formats (as the scanner names them) whose files `extractTensors` converts. */
const CONVERTIBLE = new Set(['pytorch-zip', 'pytorch-legacy', 'numpy', 'npz']);

export function canConvert(report: Pick<FileReport, 'formats'> | undefined): boolean {
  return report?.formats.some((f) => CONVERTIBLE.has(f)) ?? false;
}

/**
 * The name the output should have, following the Hub's convention: pytorch_model.bin → model.safetensors,
 * pytorch_model-00001-of-00002.bin → model-00001-of-00002.safetensors, anything else keeps its stem.
 */
export function safetensorsName(path: string): string {
  const base = path.split(/[\\/]/).pop() || 'model';
  const shard = /^pytorch_model(-\d+-of-\d+)?\.bin$/i.exec(base);
  if (shard) return `model${shard[1] ?? ''}.safetensors`;
  const dot = base.lastIndexOf('.');
  return `${dot > 0 ? base.slice(0, dot) : base}.safetensors`;
}
