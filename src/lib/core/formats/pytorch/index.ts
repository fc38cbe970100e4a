export { pytorchLegacyFormat, startsWithLegacyMagic } from './legacy';
export { torchMemberRole, torchZipLayout, type TorchZipLayout } from './zip-layout';
export { isTorchScriptCodeName, torchScriptCodeFormat } from './torchscript';
