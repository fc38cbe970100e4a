/** Operator domains every ONNX runtime implements. */
export const STANDARD_DOMAINS: ReadonlySet<string> = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training'
]);

/** Domains of well-known runtimes' built-in kernels: not standard, but no user library is loaded for them. */
const KNOWN_RUNTIME_DOMAINS = [
  /^com\.microsoft(\.|$)/,
  /^org\.pytorch\.aten$/,
  /^ai\.onnx\.contrib$/,
  /^com\.ms\.internal/
];

export type DomainKind = 'standard' | 'runtime' | 'custom';

export function domainKind(domain: string): DomainKind {
  if (STANDARD_DOMAINS.has(domain)) return 'standard';
  if (KNOWN_RUNTIME_DOMAINS.some((re) => re.test(domain))) return 'runtime';
  return 'custom';
}
