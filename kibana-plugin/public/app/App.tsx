// The app shell: a header with the pivot search box, and one page per hash route.
import React, { useEffect, useState } from 'react';
import { EuiFieldSearch, EuiFlexGroup, EuiFlexItem, EuiLink, EuiPanel, EuiSpacer, EuiText, EuiTitle } from '@elastic/eui';
import type { AuditsightApi } from '../api';
import { ProcessPage } from './ProcessPage';
import { SessionTimeline } from './SessionTimeline';
import { AlertsTable, FilesTable, NetworkTable, SearchResults } from './Tables';
import { href, navigate, useRoute, useLoad } from './nav';
import { commandOf } from './format';

function SearchBox({ initial }: { initial: string }) {
  const [value, setValue] = useState(initial);
  useEffect(() => setValue(initial), [initial]);
  return (
    <EuiFieldSearch
      placeholder="Pivot: a path, an argument, a user, a host, an IP…"
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onSearch={(q) => q.trim() && navigate(href.search(q.trim()))}
      isClearable
      fullWidth
      data-test-subj="search-input"
      aria-label="Search events"
    />
  );
}

function SessionPage({ api, id }: { api: AuditsightApi; id: string }) {
  const leader = useLoad(() => api.process(id).catch(() => undefined), [id]);
  return (
    <>
      <EuiTitle size="m">
        <h1>Login session</h1>
      </EuiTitle>
      <EuiText size="s" color="subdued">
        {leader.data ? (
          <>
            entered by <EuiLink href={href.process(id)}>{commandOf(leader.data)}</EuiLink> as {leader.data.login_user?.name ?? leader.data.user?.name ?? '?'} on{' '}
            {leader.data.host?.name ?? '?'}
          </>
        ) : (
          'session leader not captured'
        )}
      </EuiText>
      <EuiSpacer size="m" />
      <SessionTimeline api={api} sessionId={id} />
      <EuiSpacer size="l" />
      <EuiTitle size="xs"><h2>Network in this session</h2></EuiTitle>
      <NetworkTable api={api} scope={{ session_id: id }} />
      <EuiSpacer size="l" />
      <EuiTitle size="xs"><h2>Files in this session</h2></EuiTitle>
      <FilesTable api={api} scope={{ session_id: id }} />
      <EuiSpacer size="l" />
      <EuiTitle size="xs"><h2>Alerts in this session</h2></EuiTitle>
      <AlertsTable api={api} scope={{ session_id: id }} />
    </>
  );
}

export function App({ api }: { api: AuditsightApi }) {
  const route = useRoute();
  let body: React.ReactNode;
  switch (route.page) {
    case 'process':
      body = <ProcessPage key={route.id} api={api} entityId={route.id} tab={route.tab} />;
      break;
    case 'session':
      body = <SessionPage key={route.id} api={api} id={route.id} />;
      break;
    case 'search':
      body = (
        <>
          <EuiTitle size="m"><h1>Search</h1></EuiTitle>
          <EuiSpacer size="s" />
          {route.q ? <SearchResults api={api} q={route.q} /> : <EuiText>Type a term above.</EuiText>}
        </>
      );
      break;
    default:
      body = (
        <>
          <EuiTitle size="m"><h1>Latest alerts</h1></EuiTitle>
          <EuiSpacer size="s" />
          <AlertsTable api={api} />
        </>
      );
  }
  return (
    <div style={{ padding: 16, maxWidth: 1400, margin: '0 auto' }}>
      <EuiPanel paddingSize="s" hasShadow={false} color="subdued">
        <EuiFlexGroup alignItems="center" gutterSize="m" responsive={false}>
          <EuiFlexItem grow={false}>
            <EuiLink href={href.alerts()} data-test-subj="home-link">
              <strong>auditsight</strong>
            </EuiLink>
          </EuiFlexItem>
          <EuiFlexItem>
            <SearchBox initial={route.page === 'search' ? route.q : ''} />
          </EuiFlexItem>
        </EuiFlexGroup>
      </EuiPanel>
      <EuiSpacer size="m" />
      {body}
    </div>
  );
}
