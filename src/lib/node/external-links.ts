import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { maxVerdict, shorten, type FileReport, type Finding } from '../core/findings';
import { locationProblem } from '../core/formats/onnx/external-data';

/**
 * ONNX external data is read from `location` joined onto the model's folder. A location that is written
 * inside the folder can still lead out of it through a symbolic link (the file itself, or a folder on the
 * way): onnx.load and onnxruntime follow it and read whatever it points at. The browser is handed file
 * contents only and cannot see links; on disk the CLI resolves them.
 */
export async function checkExternalDataLinks(
  reports: readonly FileReport[],
  fsPathOf: (displayPath: string) => string | undefined
): Promise<FileReport[]> {
  const out: FileReport[] = [];
  for (const report of reports) {
    const added: Finding[] = [];
    const modelPath = fsPathOf(report.path);
    const refs = (report.references ?? []).filter((r) => r.kind === 'external-data');
    if (modelPath && refs.length > 0) {
      const folder = await realpath(dirname(modelPath));
      for (const ref of refs.slice(0, 10_000)) {
        if (locationProblem(ref.target)) continue; // reported by the ONNX scanner
        const finding = await linkFinding(
          report,
          folder,
          resolve(dirname(modelPath), ref.target),
          ref.target
        );
        if (finding) added.push(finding);
      }
    }
    const verdict = added.reduce((v, f) => maxVerdict(v, f.severity), report.verdict);
    out.push(added.length === 0 ? report : { ...report, findings: [...report.findings, ...added], verdict });
  }
  return out;
}

async function linkFinding(
  report: FileReport,
  folder: string,
  target: string,
  written: string
): Promise<Finding | undefined> {
  let real: string;
  try {
    await lstat(target);
    real = await realpath(target);
  } catch {
    return undefined; // missing files are reported by the folder cross-check
  }
  if (real === resolve(folder, written)) return undefined;
  const rel = relative(folder, real);
  const outside = rel === '' || rel.startsWith('..') || isAbsolute(rel);
  return {
    ruleId: outside ? 'onnx.external-data.symlink-escape' : 'onnx.external-data.symlink',
    severity: outside ? 'high' : 'low',
    title: outside
      ? `External data is a link out of the model folder: ${shorten(written, 80)}`
      : `External data is reached through a symbolic link: ${shorten(written, 80)}`,
    message: outside
      ? `The tensor data "${shorten(written, 120)}" looks local, but a symbolic link makes it resolve to ${shorten(real, 160)}, outside the model's folder. Loading the model reads that file into a tensor (a way to exfiltrate files through a model).`
      : `The tensor data "${shorten(written, 120)}" is reached through a symbolic link that stays inside the model's folder (${shorten(real, 160)}).`,
    format: 'onnx',
    location: { path: [report.path] },
    evidence: { details: { location: shorten(written, 200), resolvesTo: shorten(real, 200) } }
  };
}
