import { readAll } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import type { FormatScanner, ScanContext } from '../types';

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function isConfigName(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return base === 'config.json';
}

/** `auto_map` values: "module.Class", "repo/id--module.Class", or [slow, fast] tokenizer pairs. */
function autoMapTargets(autoMap: unknown): string[] {
  if (!autoMap || typeof autoMap !== 'object') return [];
  return Object.values(autoMap as Record<string, unknown>)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((v): v is string => typeof v === 'string')
    .slice(0, 200);
}

function reportAutoMap(targets: string[], ctx: ScanContext): void {
  const crossRepo = targets.filter((t) => t.includes('--'));
  const modules = [
    ...new Set(targets.filter((t) => !t.includes('--')).map((t) => t.slice(0, t.lastIndexOf('.'))))
  ];
  ctx.report({
    ruleId: 'hf-config.remote-code',
    severity: 'medium',
    title: 'Model needs trust_remote_code',
    message: `config.json maps model classes to Python code shipped with the model (${shorten(modules.join(', '), 200)}). Loading it with trust_remote_code=True runs that code on your machine; review those files first.`,
    evidence: { imports: targets.map((t) => shorten(t, 120)) }
  });
  for (const module of modules) {
    if (/^[\w.]+$/.test(module))
      ctx.reference({ kind: 'remote-code', target: `${module.replaceAll('.', '/')}.py` });
  }
  if (crossRepo.length > 0) {
    ctx.report({
      ruleId: 'hf-config.remote-code.other-repo',
      severity: 'high',
      title: 'Code is fetched from another repository',
      message: `auto_map points at code in another Hub repository (${shorten(crossRepo.join(', '), 200)}). That code is downloaded and run at load time, and it is not part of the files you checked.`,
      evidence: { imports: crossRepo.map((t) => shorten(t, 120)) }
    });
  }
}

/** Hugging Face `config.json`: remote-code mappings (`auto_map`) and a few facts. */
export const hfConfigFormat: FormatScanner = {
  id: 'hf-config',
  label: 'Hugging Face model config',
  sniff: (probe) => isConfigName(probe.name) && probe.head[0] === 0x7b && probe.size <= MAX_CONFIG_BYTES,
  async scan(src, ctx) {
    let config: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(await readAll(src)));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return;
      config = parsed as Record<string, unknown>;
    } catch (err) {
      ctx.report({
        ruleId: 'hf-config.invalid-json',
        severity: 'low',
        title: 'config.json is not valid JSON',
        message: `Loaders will refuse this config: ${shorten((err as Error).message, 160)}.`
      });
      return;
    }
    if (typeof config.model_type === 'string') ctx.fact('hf.model_type', shorten(config.model_type, 80));
    if (Array.isArray(config.architectures) && typeof config.architectures[0] === 'string') {
      ctx.fact('hf.architecture', shorten(config.architectures[0], 80));
    }
    const targets = autoMapTargets(config.auto_map);
    if (targets.length > 0) reportAutoMap(targets, ctx);
  }
};
