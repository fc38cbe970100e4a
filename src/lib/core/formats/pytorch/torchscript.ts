/**
 * TorchScript source under `code/` of a torch.jit.save archive. torch.jit.load (and torch.load, which
 * hands TorchScript archives to it) compiles every file and runs each scripted class's `__setstate__` while
 * loading; `forward` and the other methods run as soon as the model is used. TorchScript is a Python subset:
 * it cannot import modules, but it calls `torch.*` functions and operators, including ones that read files
 * (`torch.from_file`), load native libraries, or run custom native operators (`torch.ops.<namespace>.*`,
 * `torch.classes.*`) that a library loaded by the program provides. This reads the text with a bounded lexer
 * (strings and comments blanked) and rates each call with the pickle capability table.
 */
import { readAll } from '../../bytes/byte-source';
import { shorten } from '../../findings';
import { classifyImport, describeCapability } from '../pickle/policy';
import { codeOnly } from '../python-code/strip';
import type { FormatScanner, ScanContext } from '../types';

const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
const MAX_CALLS_REPORTED = 50;

/** torch.ops namespaces that PyTorch itself registers (native, but part of torch). */
const BUILTIN_OP_NAMESPACES = new Set([
  'aten',
  'prim',
  'quantized',
  '_quantized',
  'quantized_decomposed',
  'profiler',
  '_caffe2',
  'cuda',
  'mkldnn',
  'mkl',
  'xnnpack',
  'fbgemm',
  'sparse',
  'onednn',
  'inductor',
  'higher_order',
  'c10d',
  'debugprims'
]);

/** aten operators with a capability of their own (the rest compute on tensors). */
const ATEN_CAPABILITIES: Record<string, string> = {
  from_file: 'torch.from_file',
  save: 'torch.save',
  load: 'torch.load'
};

const TORCHSCRIPT_CODE = /(?:^|\/)code\/__torch__(?:\/.*)?\.py$/;

export function isTorchScriptCodeName(name: string): boolean {
  return TORCHSCRIPT_CODE.test(name);
}

interface CallSite {
  line: number;
  name: string;
  method: string | undefined;
  text: string;
}

interface Rated {
  site: CallSite;
  what: string;
  capability: string;
  native: boolean;
}

/** Every `dotted.name(` call in the code, with the method (def) it sits in. */
export function callSites(source: string): CallSite[] {
  const lines = source.split('\n');
  const code = codeOnly(source).split('\n');
  const sites: CallSite[] = [];
  let method: { name: string; indent: number } | undefined;
  for (let i = 0; i < code.length; i++) {
    const line = code[i];
    const indent = line.length - line.trimStart().length;
    if (line.trim() === '') continue;
    if (/^\s*class\s/.test(line)) {
      method = undefined;
      continue;
    }
    const def = /^\s*def\s+([A-Za-z_]\w*)\s*\(/.exec(line);
    if (def) method = { name: def[1], indent };
    else if (method && indent <= method.indent) method = undefined;
    for (const m of line.matchAll(/([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\(/g)) {
      if (/^\s*def\s/.test(line) && m.index !== undefined && line.slice(0, m.index).trim() === 'def')
        continue;
      const name = m[1].replace(/\s+/g, '');
      const at = m.index ?? 0;
      sites.push({ line: i + 1, name, method: method?.name, text: lines[i].slice(at).trim() });
    }
  }
  return sites;
}

function rate(site: CallSite): Rated | undefined {
  const parts = site.name.split('.');
  // Methods of the scripted object itself (self.system(), self._0.forward()) are its own TorchScript code.
  if (parts[0] === 'self' || parts[0].startsWith('_')) return undefined;
  if (parts[0] === 'torch' && (parts[1] === 'ops' || parts[1] === 'classes') && parts.length >= 4) {
    const ns = parts[2];
    if (!BUILTIN_OP_NAMESPACES.has(ns)) {
      return {
        site,
        what: `runs the custom native ${parts[1] === 'ops' ? 'operator' : 'class'} ${site.name}, which only a native library loaded into the process provides`,
        capability: 'native-load',
        native: true
      };
    }
    const mapped = ns === 'aten' ? ATEN_CAPABILITIES[parts[3]] : undefined;
    if (!mapped) return undefined;
    return rateName(site, mapped);
  }
  if (parts.length === 1) {
    const builtin = classifyImport('builtins', parts[0]);
    return builtin.level === 'critical' ? fromClass(site, builtin) : undefined;
  }
  return rateName(site, site.name);
}

function rateName(site: CallSite, dotted: string): Rated | undefined {
  const cut = dotted.lastIndexOf('.');
  const cls = classifyImport(dotted.slice(0, cut), dotted.slice(cut + 1));
  return cls.level === 'critical' ? fromClass(site, cls) : undefined;
}

/**
 * TorchScript resolves getattr/setattr only with literal names (a submodule of a Sequential is
 * getattr(self, "0")), so attribute gadgets are not a capability there.
 */
const NOT_IN_TORCHSCRIPT = new Set(['gadget', 'internals', 'inert']);

function fromClass(site: CallSite, cls: ReturnType<typeof classifyImport>): Rated | undefined {
  if (!cls.capability || NOT_IN_TORCHSCRIPT.has(cls.capability)) return undefined;
  return { site, what: describeCapability(cls.capability).what, capability: cls.capability, native: false };
}

export async function scanTorchScriptCode(
  src: Parameters<FormatScanner['scan']>[0],
  ctx: ScanContext
): Promise<void> {
  if (src.size > MAX_SOURCE_BYTES) {
    ctx.incomplete(
      `This TorchScript file is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB and was not read.`
    );
    return;
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(await readAll(src));
  const sites = callSites(text);
  const rated = sites.map(rate).filter((r): r is Rated => r !== undefined);
  ctx.fact('torchscript.lines', text.split('\n').length);
  if (rated.length === 0) {
    ctx.report({
      ruleId: 'pytorch.torchscript-code',
      severity: 'low',
      title: 'TorchScript code (analysed): no file, process or native calls',
      message: `torch.jit.load compiles this TorchScript and runs its __setstate__ methods; its ${sites.length} calls were read and none reaches files, processes, the network or native code outside PyTorch. It still runs when the model is used.`,
      evidence: { details: { calls: sites.length } }
    });
    return;
  }
  for (const r of rated.slice(0, MAX_CALLS_REPORTED)) {
    const atLoad = r.site.method === '__setstate__';
    const severity = atLoad && !r.native ? 'critical' : 'high';
    const when = atLoad
      ? 'in __setstate__, which torch.jit.load runs while loading (older torch also under torch.load(weights_only=True))'
      : `in ${r.site.method ? `method ${r.site.method}` : 'class-level code'}, which runs when the model is used`;
    ctx.report({
      ruleId: r.native ? 'pytorch.torchscript.native-op' : 'pytorch.torchscript.dangerous-call',
      severity,
      title: `TorchScript ${atLoad ? '__setstate__ ' : ''}calls ${shorten(r.site.name, 120)}`,
      message: `Line ${r.site.line} calls ${shorten(r.site.text, 160)} ${when}: it ${r.what}.`,
      evidence: {
        excerpt: shorten(r.site.text, 160),
        details: { line: r.site.line, method: r.site.method ?? '', category: r.capability }
      }
    });
  }
}

export const torchScriptCodeFormat: FormatScanner = {
  id: 'torchscript-code',
  label: 'TorchScript code',
  sniff: (probe) => isTorchScriptCodeName(probe.name) && !probe.head.subarray(0, 4096).includes(0),
  scan: scanTorchScriptCode
};
