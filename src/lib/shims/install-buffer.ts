// @sigstore/* uses the Node `Buffer` global (also at module top level), so it must exist before they load.
import { Buffer } from 'buffer';

const g = globalThis as { Buffer?: unknown };
g.Buffer ??= Buffer;
