import { serve } from './comlink';
import { hubDisplayPath, parseHubTarget } from '../core/remote/hub-target';
import { scanOnHub } from '../core/remote/scan-hub';
import { transportFetch } from '../core/remote/transport';
import type { HubScanWorkerApi } from './hub-scan-api';

const api: HubScanWorkerApi = {
  async scan(request, transport, events) {
    const ref = parseHubTarget(request.target);
    let named = (path: string) => path;
    const { files: _files, ...summary } = await scanOnHub(
      ref,
      { fetch: transportFetch(transport), transport, token: request.token },
      {
        limits: request.limits,
        folderChecks: false, // the page's session adds them across every file it holds
        onListed: (files, commit, repoId) => {
          named = (path) => hubDisplayPath({ ...ref, repoId }, commit, path);
          void events.listed(
            files.map((f) => ({ path: named(f.path), size: f.size })),
            commit,
            repoId
          );
        },
        onFile: (e) => {
          if (e.state === 'scanning') void events.started(named(e.path));
        }
      }
    );
    return summary;
  }
};

serve(api);
