import { serve } from './comlink';
import type { PickedFile } from '../state/file-job';
import { walkHandles, type WalkNode } from './drop-walk';

serve({
  walk: (roots: WalkNode[], onFiles: (files: PickedFile[]) => Promise<void>) => walkHandles(roots, onFiles)
});
