/** What a zip's member names say about PyTorch: torch.save writes everything under one root folder. */
export interface TorchZipLayout {
  root: string;
  /** TorchScript archives (torch.jit.save) carry Python-like source under code/. */
  torchScriptCode: string[];
}

const DATA_PKL = /^(?:([^/]+)\/)?data\.pkl$/;

export function torchZipLayout(names: readonly string[]): TorchZipLayout | undefined {
  let root: string | undefined;
  for (const name of names) {
    const m = DATA_PKL.exec(name);
    if (m) {
      root = m[1] ?? '';
      break;
    }
  }
  if (root === undefined) return undefined;
  const prefix = root ? `${root}/` : '';
  const marker = names.some(
    (n) =>
      n === `${prefix}version` ||
      n === `${prefix}.data/version` ||
      n === `${prefix}byteorder` ||
      n.startsWith(`${prefix}data/`) ||
      n === `${prefix}constants.pkl`
  );
  if (!marker) return undefined;
  const torchScriptCode = names.filter((n) => n.startsWith(`${prefix}code/`) && !n.endsWith('/'));
  return { root, torchScriptCode };
}
