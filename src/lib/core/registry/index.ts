export {
  exportRegistry,
  importRegistry,
  parseRegistryExport,
  serializeRegistry,
  MAX_EXPORT_BYTES,
  REGISTRY_FORMAT,
  REGISTRY_FORMAT_VERSION,
  type ImportEvaluator,
  type ImportSummary,
  type RegistryExport
} from './exchange';
export { MemoryRegistryStore, recordKey } from './memory-store';
export { MAX_HISTORY, recordTriage, withHistory } from './record';
export { RegistryImportError } from './validate';
export type { ModelVersionRecord, RegistryStore } from './types';
