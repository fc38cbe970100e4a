export { pytorchLegacyFormat, startsWithLegacyMagic } from './legacy';
export { torchZipLayout, type TorchZipLayout } from './zip-layout';
