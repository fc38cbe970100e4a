// CycloneDX 1.6 ML-BOM export and eval-free schema validation (the app validates before offering the download).
export { buildMlBom, type BomInput, type BomModelFile } from './cyclonedx';
export { huggingfacePurl, pypiPurl } from './purl';
export { validateBom, type BomValidation } from './validate';
