import {
  MAX_EXPORT_BYTES,
  parseRegistryExport,
  RegistryImportError,
  type RegistryExport,
  type RegistryImportErrorCode
} from '../core/registry';

/** A registry export as read: the validated export, or why it was refused (the code and where in the file). */
export type RegistryFileResult =
  { ok: true; value: RegistryExport } | { ok: false; code: RegistryImportErrorCode; error: string };

/** Reads a registry export (size-bounded) and validates it; the error text says what is wrong where. */
export async function readRegistryFile(file: Blob): Promise<RegistryFileResult> {
  if (file.size > MAX_EXPORT_BYTES)
    return {
      ok: false,
      code: 'REGISTRY_TOO_LARGE',
      error: `The file is ${file.size} bytes; a registry export is at most ${MAX_EXPORT_BYTES}.`
    };
  try {
    return { ok: true, value: parseRegistryExport(await file.text()) };
  } catch (err) {
    if (err instanceof RegistryImportError) return { ok: false, code: err.code, error: err.message };
    return {
      ok: false,
      code: 'REGISTRY_UNREADABLE',
      error: `The file could not be read: ${String((err as Error)?.message ?? err).slice(0, 200)}`
    };
  }
}
