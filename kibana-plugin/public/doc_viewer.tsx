// A Discover doc-viewer tab ("Process") for an expanded auditsight event or alert: its ancestry and its
// login session's timeline, with links into the full app. Registered through unifiedDocViewer.registry.add.
import React from 'react';
import { EuiCallOut, EuiLink, EuiSpacer, EuiText, EuiTitle } from '@elastic/eui';
import type { DocView, DocViewRenderProps } from '@kbn/unified-doc-viewer/types';
import { ENTITY_ID_RE } from '../common/params';
import type { AuditsightApi } from './api';
import { AncestryChain } from './app/Ancestry';
import { href, LinkBase } from './app/nav';
import { SessionTimeline } from './app/SessionTimeline';

export const DOC_VIEW_ID = 'doc_view_auditsight_process';

/** Flattened hits hold a value or an array of values; ids are single-valued keywords. */
function first(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' && ENTITY_ID_RE.test(x) ? x : undefined;
}

export function ProcessDocView({ hit, api, appUrl }: { hit: DocViewRenderProps['hit']; api: AuditsightApi; appUrl: string }) {
  const f = hit.flattened ?? {};
  const entity = first(f['process.entity_id']);
  const session = first(f['process.entry_leader.entity_id']) ?? first(f['process.session_leader.entity_id']);
  if (!entity) {
    return <EuiCallOut size="s" title="This document has no process.entity_id: no process to show." data-test-subj="auditsight-docview-empty" />;
  }
  return (
    // Links inside Discover must point at the app, not at Discover's own hash.
    <LinkBase.Provider value={appUrl}>
      <div style={{ padding: 8 }} data-test-subj="auditsight-docview">
        <EuiLink href={appUrl + href.process(entity)}>Open process details</EuiLink>
        <EuiSpacer size="s" />
        <EuiTitle size="xxs">
          <h3>Ancestry</h3>
        </EuiTitle>
        <AncestryChain api={api} entityId={entity} />
        <EuiSpacer size="m" />
        <EuiTitle size="xxs">
          <h3>Login session</h3>
        </EuiTitle>
        {session ? (
          <SessionTimeline api={api} sessionId={session} highlight={entity} pageSize={50} />
        ) : (
          <EuiText size="s" color="subdued">
            Session leader not captured.
          </EuiText>
        )}
      </div>
    </LinkBase.Provider>
  );
}

export function createProcessDocView(api: AuditsightApi, appUrl: string): DocView {
  return {
    id: DOC_VIEW_ID,
    title: 'Process',
    // After Table (10) and JSON (20).
    order: 30,
    component: (props) => <ProcessDocView hit={props.hit} api={api} appUrl={appUrl} />,
  };
}
