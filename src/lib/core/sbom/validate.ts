import { Validator } from '@cfworker/json-schema';
import { BOM_16_SCHEMA, BOM_REFERENCED_SCHEMAS } from './schemas';

export interface BomValidation {
  valid: boolean;
  /** Schema errors, "instance location: message". */
  errors: string[];
  /** Set when the BOM uses a part of the schema that refers to a schema not supplied (spdx, jsf); then it was not fully checked. */
  unresolved?: string;
}

/**
 * Validates a CycloneDX BOM against the JSON schema given (draft-07, the 1.6 or 1.7 BOM schema) with an interpreter
 * that never uses eval, so it runs under the app's CSP. By default the 1.6 schema with the SPDX and JSF schemas it
 * refers to, so every part of the BOM is checked.
 */
export function validateBom(
  bom: unknown,
  schema: object = BOM_16_SCHEMA,
  referenced: Record<string, object> = BOM_REFERENCED_SCHEMAS
): BomValidation {
  const validator = new Validator(schema, '7', false);
  for (const [id, s] of Object.entries(referenced)) validator.addSchema(s, id);
  try {
    const result = validator.validate(bom);
    const errors = result.errors
      .filter(
        (e) =>
          !/^(A subschema had errors|Property .* does not match schema|Items did not match schema)/.test(
            e.error
          )
      )
      .map((e) => `${e.instanceLocation}: ${e.error}`);
    return {
      valid: result.valid,
      errors: result.valid
        ? []
        : errors.length
          ? errors
          : result.errors.map((e) => `${e.instanceLocation}: ${e.error}`)
    };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    if (/Unresolved \$ref/.test(message)) return { valid: false, errors: [], unresolved: message };
    throw err;
  }
}
