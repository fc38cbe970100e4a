import { collectDependencies, type CollectedDependencies } from '../core/deps/collect';
import { toPipAuditJson } from '../core/deps/report-pip-audit';
import { auditToSarif } from '../core/deps/report-sarif';
import { buildMlBom } from '../core/sbom/cyclonedx';
import { validateBom } from '../core/sbom/validate';
import type { DepsFile, ExportRequest, Exports, PastedInput } from './deps-api';

/** Requirement and lock files are small; anything larger is refused rather than read into memory. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;
export const PASTED_FOLDER = '(pasted)';

/** Parses the dependency inputs among the dropped files (and the pasted text), reading only what is needed. */
export async function collectFromFiles(
  files: readonly DepsFile[],
  pasted: PastedInput | null
): Promise<CollectedDependencies> {
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const problems: CollectedDependencies['problems'] = [];
  const pastedPath = pasted?.text.trim() ? `${PASTED_FOLDER}/${pasted.name}` : null;
  const read = async (path: string): Promise<string | null> => {
    if (path === pastedPath) return pasted!.text;
    const file = byPath.get(path);
    if (!file) return null;
    if (file.size > MAX_INPUT_BYTES) {
      problems.push({ file: path, message: `not read: ${file.size} bytes exceeds ${MAX_INPUT_BYTES}` });
      return null;
    }
    return file.text();
  };
  const paths = [...byPath.keys(), ...(pastedPath ? [pastedPath] : [])];
  const collected = await collectDependencies(paths, read);
  return { ...collected, problems: [...problems, ...collected.problems] };
}

function newSerialNumber(): string {
  return `urn:uuid:${crypto.randomUUID()}`;
}

/** pip-audit JSON, SARIF and the CycloneDX 1.6 ML-BOM, the BOM validated against the schema before it is offered. */
export function buildExports(request: ExportRequest, now = new Date()): Exports {
  const bom = buildMlBom({
    model: { name: request.modelName, files: request.files },
    dependencies: request.dependencies,
    ...(request.report ? { audit: request.report } : {}),
    serialNumber: newSerialNumber(),
    timestamp: now.toISOString().replace(/\.\d+Z$/, 'Z')
  });
  const report = request.report;
  return {
    pipAudit: report ? JSON.stringify(toPipAuditJson(report), null, 2) : null,
    sarif: report ? JSON.stringify(auditToSarif(report), null, 2) : null,
    cyclonedx: JSON.stringify(bom, null, 2),
    validation: validateBom(bom)
  };
}
