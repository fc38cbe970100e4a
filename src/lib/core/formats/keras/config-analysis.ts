import { shorten } from '../../findings';
import type { Severity } from '../../findings';
import {
  DANGEROUS_MODULE_ROOTS,
  KERAS_CLASSES,
  SAFE_MODULE_ROOTS,
  SERIALISATION_MARKERS
} from './known-classes';

export interface KerasIssue {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  /** Where in the config, e.g. config.layers[2].config.function. */
  where: string;
  excerpt?: string;
  names?: string[];
}

export interface KerasConfigLimits {
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_KERAS_CONFIG_LIMITS: KerasConfigLimits = { maxDepth: 256, maxNodes: 2_000_000 };

export interface KerasConfigReport {
  issues: KerasIssue[];
  layers: number;
  /** Set when the walk stopped at a bound: the rest of the config was not checked. */
  truncated?: string;
}

/** Config keys that hold a file path the layer reads while it is being deserialised. */
const FILE_KEYS: Record<string, readonly string[]> = {
  StringLookup: ['vocabulary'],
  IntegerLookup: ['vocabulary'],
  TextVectorization: ['vocabulary'],
  TFSMLayer: []
};
const TOKENIZER_KEYS = ['vocabulary', 'merges', 'proto'];
const GENERIC_FILE_KEYS = ['vocabulary_file', 'vocabulary_path', 'filepath', 'file_path'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const moduleRoot = (module: string) => module.split('.')[0];

/** Keras 2.11+ writes its own optimizers as "Custom>Adam"; that prefix on a built-in name is not user code. */
function isKnownClass(name: string): boolean {
  const bare = name.startsWith('Custom>') ? name.slice('Custom>'.length) : name;
  return KERAS_CLASSES.has(bare) || SERIALISATION_MARKERS.has(bare);
}

/** Identifiers inside marshalled code (co_names, strings): what the analyst wants to see of a Lambda. */
export function marshalNames(base64: string, max = 24): string[] {
  let bytes: string;
  try {
    bytes = atob(base64.replace(/\s+/g, '').slice(0, 1_000_000));
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const m of bytes.matchAll(/[A-Za-z_][A-Za-z0-9_.]{1,63}/g)) {
    names.add(m[0]);
    if (names.size >= max) break;
  }
  return [...names];
}

function lambdaCode(fn: Json): string | undefined {
  if (typeof fn === 'string') return fn;
  if (Array.isArray(fn) && typeof fn[0] === 'string') return fn[0];
  if (isObject(fn)) {
    if (fn.class_name === '__tuple__' && Array.isArray(fn.items) && typeof fn.items[0] === 'string')
      return fn.items[0];
    if (fn.class_name === '__lambda__' && isObject(fn.config) && typeof fn.config.code === 'string')
      return fn.config.code;
  }
  return undefined;
}

class ConfigWalker {
  readonly report: KerasConfigReport = { issues: [], layers: 0 };
  private nodes = 0;
  private readonly untrusted = new Map<string, string>();
  /** A Lambda's own config names its function's module; that is judged by the Lambda rule. */
  private readonly lambdaConfigs = new WeakSet<JsonObject>();

  constructor(private readonly limits: KerasConfigLimits) {}

  run(root: Json): KerasConfigReport {
    const stack: [Json, string, number][] = [[root, '$', 0]];
    while (stack.length > 0) {
      const [value, where, depth] = stack.pop()!;
      if (++this.nodes > this.limits.maxNodes) {
        this.report.truncated = `more than ${this.limits.maxNodes} JSON values`;
        break;
      }
      if (depth > this.limits.maxDepth) {
        this.report.truncated = `JSON nested deeper than ${this.limits.maxDepth} levels`;
        break;
      }
      if (typeof value === 'string') this.checkString(value, where);
      else if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${where}[${i}]`, depth + 1]);
      } else if (isObject(value)) {
        this.checkObject(value, where);
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--)
          stack.push([value[keys[i]], `${where}.${keys[i]}`, depth + 1]);
      }
    }
    this.flushUntrusted();
    return this.report;
  }

  private add(issue: KerasIssue): void {
    if (this.report.issues.length < 200) this.report.issues.push(issue);
  }

  private checkObject(obj: JsonObject, where: string): void {
    const className = typeof obj.class_name === 'string' ? obj.class_name : undefined;
    if (className !== undefined && isObject(obj.config)) this.report.layers++;
    if (className === 'Lambda') this.checkLambda(obj, where);
    if (className === 'TorchModuleWrapper') {
      this.add({
        ruleId: 'keras.torch-module',
        severity: 'critical',
        title: 'TorchModuleWrapper layer (pickled PyTorch module)',
        message:
          'A TorchModuleWrapper stores a whole PyTorch module serialised with torch.save; loading it unpickles that data, which can run any code (CVE-2025-49655).',
        where
      });
    }
    if (className !== undefined && isObject(obj.config))
      this.checkLoadTimeFiles(className, obj.config, where);
    if (obj.safe_mode === false) this.flagSafeModeOff(where);
    if (this.lambdaConfigs.has(obj)) return;
    for (const key of ['module', 'fn_module'] as const) {
      const module = obj[key];
      if (typeof module === 'string' && module !== '') this.checkModule(module, className, `${where}.${key}`);
    }
    const registered = obj.registered_name;
    if (typeof registered === 'string' && registered.includes('>')) {
      const pkg = registered.split('>')[0];
      if (!SAFE_MODULE_ROOTS.has(moduleRoot(pkg)))
        this.noteUntrusted(`registered:${registered}`, `${where}.registered_name`);
    }
    const hasModule = typeof obj.module === 'string' && obj.module !== '';
    if (className && !hasModule && isObject(obj.config) && !isKnownClass(className)) {
      this.noteUntrusted(`class:${className}`, `${where}.class_name`);
    }
  }

  /**
   * Layers that read a file or load another model while the model is being loaded: lookup layers and
   * tokenizers given a vocabulary path instead of a list, TFSMLayer pointing at a SavedModel.
   */
  private checkLoadTimeFiles(className: string, config: JsonObject, where: string): void {
    if (className === 'TFSMLayer' && typeof config.filepath === 'string') {
      this.add({
        ruleId: 'keras.external-model',
        severity: 'high',
        title: `TFSMLayer loads an external SavedModel: ${shorten(config.filepath, 80)}`,
        message: `Loading this model loads and runs the TensorFlow SavedModel at "${shorten(config.filepath, 120)}" (TFSMLayer), a model that is not part of this file and was not checked: its graph can read or write files.`,
        where: `${where}.config.filepath`,
        excerpt: shorten(config.filepath, 200)
      });
    }
    const keys = FILE_KEYS[className] ?? (/Tokenizer$/.test(className) ? TOKENIZER_KEYS : GENERIC_FILE_KEYS);
    for (const key of keys) {
      const value = config[key];
      if (typeof value !== 'string' || value === '') continue;
      this.add({
        ruleId: 'keras.reads-file',
        severity: 'high',
        title: `${shorten(className, 40)} reads ${shorten(value, 80)} while loading`,
        message: `The ${shorten(className, 40)} layer's ${key} is a path, not inline data: loading the model opens and reads "${shorten(value, 120)}" from the loading machine, a file that is not part of the model.`,
        where: `${where}.config.${key}`,
        excerpt: shorten(value, 200)
      });
    }
  }

  private flagSafeModeOff(where: string): void {
    this.add({
      ruleId: 'keras.unsafe-deserialization',
      severity: 'critical',
      title: 'Config switches off Keras safe mode',
      message:
        'A nested config sets safe_mode to false: Keras then deserialises what follows (Lambda bytecode, arbitrary functions) without its protection (CVE-2025-9906 class).',
      where: `${where}.safe_mode`
    });
  }

  private checkLambda(obj: JsonObject, where: string): void {
    const config = isObject(obj.config) ? obj.config : {};
    this.lambdaConfigs.add(config);
    const code = lambdaCode(config.function ?? null);
    const type = typeof config.function_type === 'string' ? config.function_type : undefined;
    if (code !== undefined && type !== 'function') {
      this.add({
        ruleId: 'keras.lambda',
        severity: 'critical',
        title: 'Lambda layer with embedded Python code',
        message:
          'A Lambda layer carries a Python function as marshalled bytecode (or source). Loading the model rebuilds and runs that function: arbitrary code execution (CVE-2024-3660). Keras refuses it only in safe_mode, which legacy .h5 loading and safe_mode=False skip.',
        where: `${where}.config.function`,
        excerpt: shorten(code, 200),
        names: /^[A-Za-z0-9+/=\s]+$/.test(code) ? marshalNames(code) : undefined
      });
      return;
    }
    const module = typeof config.module === 'string' ? config.module : '';
    const fnName = typeof config.function === 'string' ? config.function : '';
    this.add({
      ruleId: 'keras.lambda',
      severity: SAFE_MODULE_ROOTS.has(moduleRoot(module)) ? 'medium' : 'high',
      title: `Lambda layer calling ${shorten(`${module}.${fnName}`, 80)}`,
      message:
        'A Lambda layer calls a Python function by name; loading imports it from its module. Outside Keras/TensorFlow that is whatever code the named module holds.',
      where: `${where}.config.function`,
      names: [shorten(`${module}.${fnName}`, 120)]
    });
  }

  private checkModule(module: string, className: string | undefined, where: string): void {
    const root = moduleRoot(module);
    if (SAFE_MODULE_ROOTS.has(root)) return;
    if (DANGEROUS_MODULE_ROOTS.has(root) && root !== '__main__') {
      this.add({
        ruleId: 'keras.module.dangerous',
        severity: 'critical',
        title: `Config resolves ${shorten(`${module}.${className ?? ''}`, 80)}`,
        message: `Keras imports "${shorten(module, 80)}" and looks up "${shorten(className ?? '', 60)}" while loading, then calls it with values from the file. That module gives code execution, process, file or network access (CVE-2025-1550 class).`,
        where,
        names: [shorten(`${module}.${className ?? ''}`, 120)]
      });
      return;
    }
    this.noteUntrusted(`module:${module}${className ? `.${className}` : ''}`, where);
  }

  private checkString(value: string, where: string): void {
    if (/enable_unsafe_deserialization/.test(value)) {
      this.add({
        ruleId: 'keras.unsafe-deserialization',
        severity: 'critical',
        title: 'Config switches off Keras safe mode',
        message:
          'The config references enable_unsafe_deserialization: loading it turns off the protection against Lambda bytecode for the rest of the process (CVE-2025-9906).',
        where,
        excerpt: shorten(value, 200)
      });
    } else if (/^https?:\/\//i.test(value) && /get_file|origin/i.test(where)) {
      this.add({
        ruleId: 'keras.remote-file',
        severity: 'high',
        title: 'Config downloads a file while loading',
        message:
          'A get_file-style value makes Keras fetch a URL while loading the model (CVE-2025-8747 class).',
        where,
        excerpt: shorten(value, 200)
      });
    }
  }

  private noteUntrusted(name: string, where: string): void {
    if (!this.untrusted.has(name) && this.untrusted.size < 200) this.untrusted.set(name, where);
  }

  private flushUntrusted(): void {
    if (this.untrusted.size === 0) return;
    const names = [...this.untrusted.keys()];
    this.add({
      ruleId: 'keras.module.untrusted',
      severity: 'medium',
      title: `${names.length} custom object${names.length === 1 ? '' : 's'} outside Keras`,
      message:
        'The config names classes or modules that are not part of Keras or TensorFlow. Loading needs them supplied (custom_objects or an import), and then runs their code: review where they come from.',
      where: this.untrusted.values().next().value ?? '$',
      names: names.map((n) => shorten(n, 120)).slice(0, 50)
    });
  }
}

/** Walks a parsed Keras config (config.json, model_config, SavedModel Keras metadata) with bounded work. */
export function analyseKerasConfig(
  root: unknown,
  limits: KerasConfigLimits = DEFAULT_KERAS_CONFIG_LIMITS
): KerasConfigReport {
  return new ConfigWalker(limits).run(root as Json);
}
