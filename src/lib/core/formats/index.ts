import { hfConfigFormat } from './hf-config';
import { pythonCodeFormat } from './python-code';
import type { FormatScanner } from './types';

/** The registry: adding a format is one module under formats/ and one line here. Order is report order. */
export const FORMATS: readonly FormatScanner[] = [
  hfConfigFormat,
  pythonCodeFormat
];
