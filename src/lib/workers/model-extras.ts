import { collectDependencies } from '../core/deps/collect';
import { inputKindOf } from '../core/deps/names';
import { licenseFromModelCard } from '../core/triage/license';
import type { GovernanceFile, ModelExtras } from './governance-api';

/** Model cards, requirement and lock files are small; anything larger is refused rather than read. */
export const MAX_TEXT_BYTES = 4 * 1024 * 1024;

const MODEL_CARD = /^readme\.md$/i;
const INCLUDE_CANDIDATE = /\.(txt|in)$/i;

/** The model card at the top of the folder (README.md), when there is one. */
function modelCardOf(files: readonly GovernanceFile[]): GovernanceFile | undefined {
  return files.find((f) => MODEL_CARD.test(f.path));
}

/** Reads the licence from the model card and collects the declared dependencies, without any request. */
export async function readModelExtras(files: GovernanceFile[]): Promise<ModelExtras> {
  const problems: string[] = [];
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const read = async (path: string): Promise<string | null> => {
    const file = byPath.get(path);
    if (!file) return null;
    if (file.size > MAX_TEXT_BYTES) {
      problems.push(`${path} was not read: ${file.size} bytes is more than ${MAX_TEXT_BYTES}`);
      return null;
    }
    try {
      return await file.text();
    } catch (err) {
      problems.push(`${path} could not be read: ${(err as Error).message}`.slice(0, 300));
      return null;
    }
  };

  const card = modelCardOf(files);
  const cardText = card ? await read(card.path) : null;
  const licenseId = cardText === null ? null : licenseFromModelCard(cardText);

  const depPaths = files
    .map((f) => f.path)
    .filter((p) => inputKindOf(p) !== null || INCLUDE_CANDIDATE.test(p));
  let dependencies: ModelExtras['dependencies'] = null;
  if (depPaths.some((p) => inputKindOf(p) !== null)) {
    const collected = await collectDependencies(depPaths, read);
    for (const p of collected.problems.slice(0, 20))
      problems.push(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
    dependencies = {
      collected,
      notAuditedReason: 'not audited here: audit them on the Dependencies page'
    };
  }
  return {
    license: licenseId ? { id: licenseId, source: 'model-card' } : null,
    dependencies,
    problems
  };
}
