import { INSPECT_LIMITS, inspectedText, type InspectedLayer } from '../../inspected';
import type { ScanContext } from '../types';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_DEPTH = 32;

/** A model's layers: `config.layers` (Functional, Sequential; Keras 1 wrote the list as `config` itself). */
function layersOf(model: { [key: string]: Json }): Json[] | undefined {
  const config = model.config;
  if (Array.isArray(config)) return config;
  if (isObject(config) && Array.isArray(config.layers)) return config.layers;
  return undefined;
}

/** The layer list of a parsed Keras config, nested models flattened as "outer/inner", bounded. */
export function kerasLayers(root: unknown): { layers: InspectedLayer[]; total: number } {
  const layers: InspectedLayer[] = [];
  let total = 0;
  const walk = (model: { [key: string]: Json }, prefix: string, depth: number) => {
    const list = layersOf(model);
    if (!list || depth > MAX_DEPTH) return;
    for (const layer of list) {
      if (!isObject(layer) || typeof layer.class_name !== 'string') continue;
      total++;
      const config = isObject(layer.config) ? layer.config : {};
      const own =
        typeof config.name === 'string' ? config.name : typeof layer.name === 'string' ? layer.name : '';
      const name = prefix ? `${prefix}/${own}` : own;
      if (layers.length < INSPECT_LIMITS.maxLayers) {
        layers.push({
          name: inspectedText(name),
          className: inspectedText(layer.class_name, 120),
          ...(typeof layer.module === 'string' ? { module: inspectedText(layer.module, 120) } : {})
        });
      }
      walk(layer, name, depth + 1);
    }
  };
  if (isObject(root)) walk(root, '', 0);
  return { layers, total };
}

export function inspectKerasLayers(parsed: unknown, source: string, ctx: ScanContext): void {
  if (!ctx.inspect) return;
  const { layers, total } = kerasLayers(parsed);
  if (total > 0) ctx.inspect({ kind: 'layers', source, layers, total });
}
