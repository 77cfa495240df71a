// Tabular views: network, files, alerts, raw events and search results. EuiInMemoryTable pages client-side
// (the server already capped the size); every cell renders values as text.
import React, { useState } from 'react';
import {
  EuiBadge, EuiButtonEmpty, EuiCallOut, EuiCode, EuiCodeBlock, EuiInMemoryTable, EuiLink, EuiLoadingSpinner, EuiSpacer, EuiText,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import type { AlertSummary, FileEntry, NetworkEntry, RawEvent, SearchHit } from '../../common/types';
import type { AuditsightApi, Scope } from '../api';
import { commandOf, endpoint, time } from './format';
import { useHref, useLoad } from './nav';

const pagination = { initialPageSize: 50, pageSizeOptions: [25, 50, 100] };

function Loading<T>({ state, children }: { state: { data?: T; error?: Error; loading: boolean }; children: (d: T) => React.ReactElement }) {
  if (state.loading) return <EuiLoadingSpinner size="m" />;
  if (state.error || state.data === undefined) return <EuiCallOut size="s" color="danger" title={`Failed: ${state.error?.message ?? 'no data'}`} />;
  return children(state.data);
}

function ProcLink({ id, text, testSubj }: { id?: string; text?: string; testSubj?: string }) {
  const h = useHref();
  if (!id) return <>{text ?? ''}</>;
  return (
    <EuiLink href={h.process(id)} data-test-subj={testSubj}>
      <EuiCode transparentBackground>{text ?? id}</EuiCode>
    </EuiLink>
  );
}
const procCell = (id?: string, text?: string) => <ProcLink id={id} text={text} />;

function SearchLink({ value }: { value: string }) {
  const h = useHref();
  return <EuiLink href={h.search(value)}>{value}</EuiLink>;
}

export function NetworkTable({ api, scope }: { api: AuditsightApi; scope: Scope }) {
  const state = useLoad(() => api.network(scope), [JSON.stringify(scope)]);
  const columns: Array<EuiBasicTableColumn<NetworkEntry>> = [
    { field: 'timestamp', name: 'Time', render: (t: string) => time(t), width: '190px' },
    { field: 'action', name: 'Action' },
    { name: 'Process', render: (n: NetworkEntry) => procCell(n.entity_id, n.executable) },
    { name: 'Source', render: (n: NetworkEntry) => endpoint(n.source) },
    { name: 'Destination', render: (n: NetworkEntry) => endpoint(n.destination) },
    { field: 'transport', name: 'Transport', width: '90px' },
    { field: 'direction', name: 'Direction', width: '90px' },
  ];
  return (
    <Loading state={state}>
      {(items) => <EuiInMemoryTable data-test-subj="network-table" items={items} columns={columns} pagination={pagination} noItemsMessage="No network activity captured." />}
    </Loading>
  );
}

export function FilesTable({ api, scope }: { api: AuditsightApi; scope: Scope }) {
  const state = useLoad(() => api.files(scope), [JSON.stringify(scope)]);
  const columns: Array<EuiBasicTableColumn<FileEntry>> = [
    { field: 'timestamp', name: 'Time', render: (t: string) => time(t), width: '190px' },
    { field: 'action', name: 'Action' },
    { field: 'path', name: 'Path', render: (p?: string) => (p ? <SearchLink value={p} /> : '') },
    { field: 'target_path', name: 'Renamed to' },
    { name: 'Process', render: (f: FileEntry) => procCell(f.entity_id, f.executable) },
  ];
  return (
    <Loading state={state}>
      {(items) => <EuiInMemoryTable data-test-subj="files-table" items={items} columns={columns} pagination={pagination} noItemsMessage="No file activity captured." />}
    </Loading>
  );
}

const SEVERITY_COLOR: Record<string, string> = { low: 'default', medium: 'warning', high: 'danger', critical: 'danger' };

export function AlertsTable({ api, scope }: { api: AuditsightApi; scope?: Scope }) {
  const state = useLoad(() => api.alerts(scope), [JSON.stringify(scope ?? {})]);
  const columns: Array<EuiBasicTableColumn<AlertSummary>> = [
    { field: 'timestamp', name: 'Time', render: (t: string) => time(t), width: '190px' },
    { field: 'severity', name: 'Severity', width: '90px', render: (s?: string) => (s ? <EuiBadge color={SEVERITY_COLOR[s] ?? 'default'}>{s}</EuiBadge> : '') },
    { name: 'Rule', render: (a: AlertSummary) => a.rule?.name ?? a.rule?.id ?? '' },
    { field: 'host', name: 'Host', width: '110px' },
    { field: 'user', name: 'User', width: '90px' },
    {
      name: 'Process',
      render: (a: AlertSummary) =>
        a.entity_id ? <ProcLink id={a.entity_id} text={commandOf(a)} testSubj="alert-process-link" /> : 'process not captured',
    },
    { name: 'ATT&CK', render: (a: AlertSummary) => [...a.tactics, ...a.techniques].join(' · ') },
  ];
  return (
    <Loading state={state}>
      {(items) => <EuiInMemoryTable data-test-subj="alerts-table" items={items} columns={columns} pagination={pagination} noItemsMessage="No alerts." />}
    </Loading>
  );
}

export function RawEvents({ api, scope }: { api: AuditsightApi; scope: Scope }) {
  const [pages, setPages] = useState<Array<string | undefined>>([undefined]);
  return (
    <div data-test-subj="raw-events">
      {pages.map((cursor, i) => (
        <RawPage key={cursor ?? 'first'} api={api} scope={scope} cursor={cursor} onMore={i === pages.length - 1 ? (next) => setPages([...pages, next]) : undefined} />
      ))}
    </div>
  );
}

function RawPage({ api, scope, cursor, onMore }: { api: AuditsightApi; scope: Scope; cursor?: string; onMore?: (next: string) => void }) {
  const state = useLoad(() => api.events(scope, cursor), [JSON.stringify(scope), cursor]);
  return (
    <Loading state={state}>
      {(page) => (
        <>
          {page.items.map((e: RawEvent) => (
            <React.Fragment key={e.id}>
              <EuiText size="xs" color="subdued">
                {e.index} / {e.id}
              </EuiText>
              <EuiCodeBlock language="json" fontSize="s" paddingSize="s" isCopyable className="as-json">
                {JSON.stringify(e.source, null, 2)}
              </EuiCodeBlock>
              <EuiSpacer size="s" />
            </React.Fragment>
          ))}
          {page.items.length === 0 ? <EuiText size="s">No events.</EuiText> : null}
          {onMore && page.next ? (
            <EuiButtonEmpty size="s" onClick={() => onMore(page.next!)}>
              Load more (of {page.total})
            </EuiButtonEmpty>
          ) : null}
        </>
      )}
    </Loading>
  );
}

export function SearchResults({ api, q }: { api: AuditsightApi; q: string }) {
  const state = useLoad(() => api.search(q), [q]);
  const columns: Array<EuiBasicTableColumn<SearchHit>> = [
    { field: 'timestamp', name: 'Time', render: (t: string) => time(t), width: '190px' },
    { field: 'host', name: 'Host', width: '110px' },
    { field: 'user', name: 'User', width: '90px' },
    { field: 'action', name: 'Action', width: '150px' },
    { name: 'Process', render: (h: SearchHit) => procCell(h.entity_id, commandOf(h)) },
    { field: 'file_path', name: 'File' },
  ];
  return (
    <Loading state={state}>
      {(page) => (
        <>
          <EuiText size="s" data-test-subj="search-total">
            {page.total.toLocaleString('en')} events match <EuiCode>{q}</EuiCode>
            {page.total > page.items.length ? ` (latest ${page.items.length} shown)` : ''}
          </EuiText>
          <EuiSpacer size="s" />
          <EuiInMemoryTable data-test-subj="search-results" items={page.items} columns={columns} pagination={pagination} />
        </>
      )}
    </Loading>
  );
}
