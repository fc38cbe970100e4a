export {
  exportRegistry,
  importRegistry,
  parseRegistryExport,
  serializeRegistry,
  MAX_EXPORT_BYTES,
  type ImportEvaluator,
  type ImportSummary,
  type RegistryExport
} from './exchange';
export { recordTriage } from './record';
export { RegistryImportError, type RegistryImportErrorCode } from './errors';
export type { ModelVersionRecord, RegistryStore } from './types';
