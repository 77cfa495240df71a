// One process: what it was (executable, full args, cwd, who, where, when, how it ended), where it came from
// (ancestry), what it started (children), and what happened around it (session, network, files, alerts, raw).
import React from 'react';
import {
  EuiBadge, EuiCallOut, EuiCode, EuiDescriptionList, EuiFlexGroup, EuiFlexItem, EuiLink, EuiLoadingSpinner, EuiPanel,
  EuiSpacer, EuiTab, EuiTabs, EuiText, EuiTitle,
} from '@elastic/eui';
import type { ProcessDetails } from '../../common/types';
import type { AuditsightApi } from '../api';
import { AncestryChain } from './Ancestry';
import { ChildrenTree } from './ChildrenTree';
import { commandOf, nameOf, time, userLabel } from './format';
import { href, navigate, useHref, useLoad } from './nav';
import { SessionTimeline } from './SessionTimeline';
import { AlertsTable, FilesTable, NetworkTable, RawEvents } from './Tables';

const TABS = [
  { id: 'children', name: 'Children' },
  { id: 'session', name: 'Session timeline' },
  { id: 'network', name: 'Network' },
  { id: 'files', name: 'Files' },
  { id: 'alerts', name: 'Alerts' },
  { id: 'raw', name: 'Raw events' },
] as const;

/** A value plus a link that pivots the search to it: the text is encoded into the link, shown as text. */
function Pivot({ value, code = true }: { value?: string; code?: boolean }) {
  const h = useHref();
  if (!value) return <EuiText size="s" color="subdued">not captured</EuiText>;
  return (
    <span>
      {code ? <EuiCode>{value}</EuiCode> : value}{' '}
      <EuiLink href={h.search(value)} data-test-subj="pivot-link" aria-label={`Search for ${value}`}>
        <small>search</small>
      </EuiLink>
    </span>
  );
}

function endState(p: ProcessDetails): React.ReactElement {
  if (!p.captured) return <EuiBadge color="hollow">not captured</EuiBadge>;
  if (p.end === undefined) return <EuiBadge color="primary" data-test-subj="still-running">still running (no exit captured)</EuiBadge>;
  return (
    <span>
      {time(p.end)} <EuiBadge color={p.exit_code === 0 ? 'success' : 'warning'}>exit {p.exit_code ?? '?'}</EuiBadge>
    </span>
  );
}

function Details({ p }: { p: ProcessDetails }) {
  const h = useHref();
  const session = p.entry_leader_entity_id ?? p.session_leader_entity_id;
  const items: Array<{ title: string; description: NonNullable<React.ReactNode> }> = [
    { title: 'Executable', description: <Pivot value={p.executable} /> },
    {
      title: 'Arguments',
      description: p.args?.length ? (
        <span data-test-subj="process-args">
          {p.args.map((a, i) => (
            <React.Fragment key={i}>
              <EuiCode>{a}</EuiCode>{' '}
            </React.Fragment>
          ))}
          <EuiLink href={h.search(p.args.join(' '))} data-test-subj="pivot-link">
            <small>search</small>
          </EuiLink>
        </span>
      ) : (
        'not captured'
      ),
    },
    { title: 'Working directory', description: <Pivot value={p.working_directory} /> },
    { title: 'User', description: userLabel(p.user) },
    { title: 'Login user (auid)', description: p.login_user ? userLabel(p.login_user) : 'not captured' },
    { title: 'Host', description: p.host?.name ?? p.host?.id ?? 'unknown' },
    { title: 'PID / PPID', description: `${p.pid ?? '?'} / ${p.ppid ?? (p.parent_entity_id ? '?' : 'parent not captured')}` },
    { title: 'Started', description: time(p.start ?? p.timestamp) || 'unknown' },
    { title: 'Ended', description: endState(p) },
    { title: 'Entity id', description: <EuiCode data-test-subj="entity-id">{p.entity_id}</EuiCode> },
    {
      title: 'Login session',
      description: session ? <EuiLink href={h.session(session)} data-test-subj="session-link">{session}</EuiLink> : 'not captured',
    },
  ];
  return <EuiDescriptionList type="responsiveColumn" compressed listItems={items} data-test-subj="process-details" />;
}

function TabBody({ api, p, tab }: { api: AuditsightApi; p: ProcessDetails; tab: string }) {
  const session = p.entry_leader_entity_id ?? p.session_leader_entity_id;
  switch (tab) {
    case 'session':
      return session ? <SessionTimeline api={api} sessionId={session} highlight={p.entity_id} /> : <EuiText size="s">Session leader not captured.</EuiText>;
    case 'network':
      return <NetworkTable api={api} scope={{ entity_id: p.entity_id }} />;
    case 'files':
      return <FilesTable api={api} scope={{ entity_id: p.entity_id }} />;
    case 'alerts':
      return (
        <>
          <EuiTitle size="xxs"><h4>This process</h4></EuiTitle>
          <AlertsTable api={api} scope={{ entity_id: p.entity_id }} />
          {session ? (
            <>
              <EuiSpacer size="m" />
              <EuiTitle size="xxs"><h4>Its login session</h4></EuiTitle>
              <AlertsTable api={api} scope={{ session_id: session }} />
            </>
          ) : null}
        </>
      );
    case 'raw':
      return <RawEvents api={api} scope={{ entity_id: p.entity_id }} />;
    default:
      return <ChildrenTree api={api} entityId={p.entity_id} />;
  }
}

/** The reason the analyst is usually here: say up front which alerts fired on this very process. */
function AlertBanner({ api, entityId }: { api: AuditsightApi; entityId: string }) {
  const { data } = useLoad(() => api.alerts({ entity_id: entityId }), [entityId]);
  if (!data?.length) return null;
  const rules = [...new Set(data.map((a) => `${a.rule?.name ?? a.rule?.id ?? 'alert'}${a.severity ? ` (${a.severity})` : ''}`))];
  return (
    <>
      <EuiCallOut size="s" color="danger" iconType="warning" data-test-subj="process-alerts"
        title={`${data.length === 1 ? '1 alert' : `${data.length} alerts`} on this process: ${rules.join(', ')}`}>
        <EuiLink href={href.process(entityId, 'alerts')}>Show alerts</EuiLink>
      </EuiCallOut>
      <EuiSpacer size="s" />
    </>
  );
}

export function ProcessPage({ api, entityId, tab = 'children' }: { api: AuditsightApi; entityId: string; tab?: string }) {
  const { data: p, error, loading } = useLoad(() => api.process(entityId), [entityId]);
  if (loading) return <EuiLoadingSpinner size="xl" />;
  if (error || !p) return <EuiCallOut color="danger" title={`Process ${entityId}: ${error?.message ?? 'not found'}`} data-test-subj="process-error" />;
  return (
    <>
      <EuiFlexGroup alignItems="baseline" gutterSize="m" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiTitle size="m">
            <h1 data-test-subj="process-title">{nameOf(p)}</h1>
          </EuiTitle>
        </EuiFlexItem>
        <EuiFlexItem>
          <EuiText size="s" color="subdued" data-test-subj="process-command">
            {commandOf(p)}
          </EuiText>
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="s" />
      <AlertBanner api={api} entityId={entityId} />
      <EuiPanel paddingSize="s" hasBorder>
        <EuiText size="xs" color="subdued">Ancestry</EuiText>
        <AncestryChain api={api} entityId={entityId} />
      </EuiPanel>
      <EuiSpacer size="m" />
      <EuiPanel paddingSize="m" hasBorder>
        <Details p={p} />
      </EuiPanel>
      <EuiSpacer size="m" />
      <EuiTabs size="s">
        {TABS.map((t) => (
          <EuiTab key={t.id} isSelected={tab === t.id} onClick={() => navigate(href.process(entityId, t.id))} data-test-subj={`tab-${t.id}`}>
            {t.name}
          </EuiTab>
        ))}
      </EuiTabs>
      <EuiSpacer size="s" />
      <TabBody api={api} p={p} tab={tab} />
    </>
  );
}
