import * as Comlink from 'comlink';
import type { GovernanceWorkerApi } from './governance-api';
import { readModelExtras } from './model-extras';
import { readRegistryFile } from './registry-file';

const api: GovernanceWorkerApi = { readExtras: readModelExtras, readRegistryFile };

Comlink.expose(api);
