import * as Comlink from 'comlink';
import type { PickedFile } from '../state/file-job';
import { walkHandles, type WalkNode } from './drop-walk';

Comlink.expose({
  walk: (roots: WalkNode[], onFiles: (files: PickedFile[]) => Promise<void>) => walkHandles(roots, onFiles)
});
