import type { Severity } from '../../findings';

export interface CodeRule {
  id: string;
  severity: Severity;
  pattern: RegExp;
  what: string;
}

/**
 * Calls that matter in code a model ships for `trust_remote_code=True`. Lexical on purpose: it reads the text,
 * it does not resolve aliases (`s = os.system; s(...)` is caught only at `os.system`) or run anything.
 */
export const CODE_RULES: readonly CodeRule[] = [
  {
    id: 'exec',
    severity: 'high',
    pattern: /\b(?:exec|eval)\s*\(/,
    what: 'runs dynamically built Python code'
  },
  {
    id: 'compile',
    severity: 'high',
    pattern: /(?<![.\w])compile\s*\(/,
    what: 'compiles Python code at run time'
  },
  {
    id: 'dunder-import',
    severity: 'high',
    pattern: /\b__import__\s*\(/,
    what: 'imports a module chosen at run time'
  },
  {
    id: 'process',
    severity: 'high',
    pattern:
      /\bos\s*\.\s*(?:system|popen|exec\w*|spawn\w*|fork\w*)\b|\bsubprocess\b|\bpty\s*\.\s*spawn\b|\bcommands\s*\.\s*getoutput\b/,
    what: 'starts other programs'
  },
  {
    id: 'network',
    severity: 'high',
    pattern:
      /\bsocket\s*\.\s*(?:socket|create_connection)\b|\burllib\d?\s*\.\s*request\b|\burlopen\s*\(|\brequests\s*\.\s*(?:get|post|put|request|Session)\b|\bhttp\s*\.\s*client\b|\bftplib\b|\bsmtplib\b|\bparamiko\b/,
    what: 'talks to the network'
  },
  {
    id: 'deserialise',
    severity: 'high',
    pattern:
      /\b(?:pickle|cPickle|_pickle|dill|marshal|cloudpickle|joblib)\s*\.\s*loads?\b|\byaml\s*\.\s*(?:unsafe_)?load\s*\(/,
    what: 'deserialises data in a way that can execute code'
  },
  { id: 'ctypes', severity: 'high', pattern: /\bctypes\b/, what: 'calls native code directly' },
  {
    id: 'import-machinery',
    severity: 'medium',
    pattern:
      /\bimportlib\s*\.\s*(?:import_module|util|machinery)\b|\bruntime\s*\.\s*load\b|\bsys\s*\.\s*modules\s*\[/,
    what: 'loads modules dynamically'
  },
  {
    id: 'filesystem',
    severity: 'medium',
    pattern: /\bshutil\s*\.\s*(?:rmtree|move|copy\w*)\b|\bos\s*\.\s*(?:remove|unlink|rmdir|chmod|chown)\b/,
    what: 'changes files on disk'
  },
  {
    id: 'obfuscation',
    severity: 'medium',
    pattern:
      /\b(?:base64\s*\.\s*b\d+decode|codecs\s*\.\s*decode|zlib\s*\.\s*decompress|bytes\s*\.\s*fromhex)\b/,
    what: 'decodes hidden data (often used to hide a payload)'
  }
];
