export { pytorchLegacyFormat } from './legacy';
export { torchScriptCodeFormat } from './torchscript';
