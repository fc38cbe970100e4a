// The CycloneDX 1.6 schema and the two schemas it refers to (SPDX license ids, JSF signatures), as shipped by
// @cyclonedx/cyclonedx-library. The package's "exports" do not list res/, hence the path into node_modules.
import bom16 from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.6.SNAPSHOT.schema.json';
import jsf from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/jsf-0.82.SNAPSHOT.schema.json';
import spdx from '../../../../node_modules/@cyclonedx/cyclonedx-library/res/schema/spdx.SNAPSHOT.schema.json';

const BASE = 'http://cyclonedx.org/schema/';

export const BOM_16_SCHEMA: object = bom16;

/** By the URIs both the released schema files and the library's SNAPSHOT copies use in their $refs. */
export const BOM_REFERENCED_SCHEMAS: Record<string, object> = {
  [`${BASE}spdx.schema.json`]: spdx,
  [`${BASE}spdx.SNAPSHOT.schema.json`]: spdx,
  [`${BASE}jsf-0.82.schema.json`]: jsf,
  [`${BASE}jsf-0.82.SNAPSHOT.schema.json`]: jsf
};
