import { serve } from './comlink';
import type { GovernanceWorkerApi } from './governance-api';
import { readModelExtras } from './model-extras';
import { readRegistryFile } from './registry-file';

const api: GovernanceWorkerApi = { readExtras: readModelExtras, readRegistryFile };

serve(api);
