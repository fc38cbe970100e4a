export { pytorchLegacyFormat, startsWithLegacyMagic } from './legacy';
export { torchZipLayout, type TorchZipLayout } from './zip-layout';
export { isTorchScriptCodeName, torchScriptCodeFormat } from './torchscript';
