import { shorten } from '../../findings';
import type { ScanContext } from '../types';
import { analyseKerasConfig } from './config-analysis';
import { inspectKerasLayers } from './layers';

/** Config JSON larger than this is not parsed (real model configs are kilobytes to a few megabytes). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

export interface ConfigOrigin {
  /** What held the JSON, e.g. 'config.json' or 'HDF5 attribute model_config'. */
  source: string;
  offset?: number;
  details?: Record<string, string | number | boolean>;
  /** Keys of issues already reported for this file (several JSON documents can repeat one layer). */
  seen?: Set<string>;
}

/** Parses a Keras config and reports what loading it would do. Returns false when it is not JSON. */
export function reportKerasConfigText(text: string, ctx: ScanContext, origin: ConfigOrigin): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    ctx.incomplete(
      `The Keras ${origin.source} is not valid JSON (${shorten(String((err as Error).message), 120)}).`,
      origin.offset,
      { excerpt: shorten(text, 120), details: origin.details }
    );
    return false;
  }
  const result = analyseKerasConfig(parsed);
  inspectKerasLayers(parsed, origin.source, ctx);
  const details = { ...origin.details, source: origin.source, layers: result.layers };
  for (const issue of result.issues) {
    const key = `${issue.ruleId}|${issue.title}|${issue.excerpt ?? ''}|${(issue.names ?? []).join(',')}`;
    if (origin.seen?.has(key)) continue;
    origin.seen?.add(key);
    ctx.report({
      ruleId: issue.ruleId,
      severity: issue.severity,
      title: issue.title,
      message: issue.message,
      offset: origin.offset,
      evidence: {
        excerpt: issue.excerpt,
        imports: issue.names,
        details: { ...details, where: shorten(issue.where, 200) }
      }
    });
  }
  if (result.truncated)
    ctx.incomplete(
      `The Keras ${origin.source} was only partly checked: ${result.truncated}.`,
      origin.offset,
      { details }
    );
  return true;
}
