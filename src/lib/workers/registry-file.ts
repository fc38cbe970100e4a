import {
  MAX_EXPORT_BYTES,
  parseRegistryExport,
  RegistryImportError,
  type RegistryExport
} from '../core/registry';

/** Reads a registry export (size-bounded) and validates it; the error text says what is wrong where. */
export async function readRegistryFile(
  file: Blob
): Promise<{ ok: true; value: RegistryExport } | { ok: false; error: string }> {
  if (file.size > MAX_EXPORT_BYTES)
    return {
      ok: false,
      error: `The file is ${file.size} bytes; a registry export is at most ${MAX_EXPORT_BYTES}.`
    };
  try {
    return { ok: true, value: parseRegistryExport(await file.text()) };
  } catch (err) {
    if (err instanceof RegistryImportError) return { ok: false, error: err.message };
    return {
      ok: false,
      error: `The file could not be read: ${String((err as Error)?.message ?? err).slice(0, 200)}`
    };
  }
}
