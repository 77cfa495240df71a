// The Kibana browser plugin: registers the app (/app/auditsight, hash routes as in the standalone console)
// and, when Discover's unified doc viewer is there, a "Process" tab for expanded documents.
import React from 'react';
import { createRoot } from 'react-dom/client';
import type { AppMountParameters, CoreSetup, CoreStart, HttpSetup, Plugin } from '@kbn/core/public';
import type { UnifiedDocViewerStart } from '@kbn/unified-doc-viewer-plugin/public';
import { API_VERSION } from '../common/routes';
import { createApi, type GetFn } from './api';
import { App } from './app/App';
import { createProcessDocView } from './doc_viewer';
import './app/auditsight.css';

export const APP_ID = 'auditsight';

export interface StartDeps {
  unifiedDocViewer?: UnifiedDocViewerStart;
}

/** core.http adds the base path, the internal-origin header and (with `version`) elastic-api-version. */
function kibanaGet(http: HttpSetup): GetFn {
  return <T,>(path: string, query: Record<string, string | number | undefined>) => {
    const q: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q[k] = v;
    return http.get<T>(path, { query: q, version: API_VERSION });
  };
}

export class AuditsightPublicPlugin implements Plugin<void, void, object, StartDeps> {
  setup(core: CoreSetup<StartDeps>): void {
    core.application.register({
      id: APP_ID,
      title: 'Process details',
      euiIconType: 'console',
      mount: async (params: AppMountParameters) => {
        const [coreStart] = await core.getStartServices();
        const root = createRoot(params.element);
        // addContext supplies Kibana's EuiProvider, theme and i18n, as every app must.
        root.render(coreStart.rendering.addContext(<App api={createApi(kibanaGet(coreStart.http))} />));
        return () => root.unmount();
      },
    });
  }

  start(core: CoreStart, deps: StartDeps): void {
    // Optional: without Discover's doc viewer the app still works on its own.
    deps.unifiedDocViewer?.registry.add(
      createProcessDocView(createApi(kibanaGet(core.http)), core.http.basePath.prepend(`/app/${APP_ID}`)),
    );
  }
}
