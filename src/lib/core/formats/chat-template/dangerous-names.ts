/** Attribute names that only serve to walk from a template value into Python's object graph. */
const INTERNAL_ATTRIBUTES = new Set([
  'mro',
  'func_globals',
  'func_code',
  'f_globals',
  'f_locals',
  'f_back',
  'f_builtins',
  'gi_frame',
  'gi_code',
  'cr_frame',
  'ag_frame',
  'tb_frame',
  'co_code',
  'im_func',
  '_module',
  '_TemplateReference__context',
  '_Undefined__name'
]);

const DUNDER = /^__\w+__$/;

/** `__class__`, `__globals__`, `mro`, `_module` …: never needed to format a chat. */
export function isPythonInternal(name: string): boolean {
  return DUNDER.test(name) || INTERNAL_ATTRIBUTES.has(name);
}

/** Methods that run processes, read the environment or open URLs once reached. */
export const DANGEROUS_CALLS = new Set([
  'system',
  'popen',
  'Popen',
  'check_output',
  'check_call',
  'getoutput',
  'getstatusoutput',
  'spawnl',
  'spawnv',
  'execv',
  'execve',
  'urlopen',
  'import_module',
  'load_module',
  'b64decode'
]);

/**
 * Jinja2 and Flask globals that are gadgets for escaping the template (`cycler.__init__.__globals__`,
 * `self._TemplateReference__context`, Flask's `config`/`request`). Chat templates have no use for them.
 */
export const GADGET_GLOBALS = new Set([
  'self',
  'cycler',
  'joiner',
  'lipsum',
  'request',
  'config',
  'url_for',
  'get_flashed_messages'
]);

/** Python modules and builtins that Jinja does not provide; naming them only makes sense after an escape. */
export const PYTHON_NAMES = new Set([
  'os',
  'sys',
  'subprocess',
  'builtins',
  'importlib',
  'eval',
  'exec',
  'compile',
  'getattr',
  'setattr',
  'globals',
  'locals',
  'open',
  'chr',
  'ord',
  'type',
  'object',
  'socket',
  'pty',
  'shutil'
]);

/** Text search used when a template does not parse: a dunder or internal name after `.`, `[` or `attr(`. */
export const INTERNALS_IN_TEXT =
  /(?:\.|\[\s*['"]|attr\s*\(\s*['"]|\b)(__(?:class|globals|subclasses|builtins|import|mro|base|bases|init|dict|code|func|self|getattribute|reduce|reduce_ex|loader|spec)__|func_globals|f_globals|_TemplateReference__context|_module)\b/;
