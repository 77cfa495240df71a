// The login session as a terminal: every command in order, each linking to its process, with the file
// deletions/renames and socket activity it caused indented under it. Paged server-side (search_after), so a
// session of thousands of processes renders one page of lines at a time.
import React, { useState } from 'react';
import { EuiButtonEmpty, EuiCallOut, EuiFlexGroup, EuiFlexItem, EuiLoadingSpinner, EuiText } from '@elastic/eui';
import type { TimelineEntry } from '../../common/types';
import type { AuditsightApi } from '../api';
import { commandOf, shortTime } from './format';
import { useHref, useLoad } from './nav';

function Line({ e, highlight }: { e: TimelineEntry; highlight?: string }) {
  const h = useHref();
  const mark = e.entity_id && e.entity_id === highlight ? ' as-line--current' : '';
  if (e.kind === 'exec') {
    const prompt = `${e.user ?? '?'}${e.login_user && e.login_user !== e.user ? `[${e.login_user}]` : ''}:${e.working_directory ?? '?'}${e.user === 'root' ? '#' : '$'}`;
    return (
      <div className={`as-line as-line--exec${mark}`} data-test-subj="timeline-line" data-kind="exec">
        <span className="as-time">{shortTime(e.timestamp)}</span>{' '}
        <span className="as-prompt">{prompt}</span>{' '}
        <a className="as-cmd" href={e.entity_id ? h.process(e.entity_id) : undefined}>
          {commandOf(e)}
        </a>
      </div>
    );
  }
  const what = e.kind === 'network' ? [e.action, e.source, e.destination && `-> ${e.destination}`].filter(Boolean).join(' ') : `${e.action ?? 'file'} ${e.file_path ?? ''}`;
  return (
    <div className={`as-line as-line--${e.kind}${mark}`} data-test-subj="timeline-line" data-kind={e.kind}>
      <span className="as-time">{shortTime(e.timestamp)}</span>{' '}
      <span className="as-effect">
        {'  ↳ '}
        {what}
        {e.outcome && e.outcome !== 'success' ? ` (${e.outcome})` : ''}
      </span>
    </div>
  );
}

export function SessionTimeline({ api, sessionId, highlight, pageSize = 200 }: { api: AuditsightApi; sessionId: string; highlight?: string; pageSize?: number }) {
  // cursors[i] is the cursor that fetches page i; page 0 needs none.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [pageIx, setPageIx] = useState(0);
  const cursor = cursors[pageIx];
  const { data, error, loading } = useLoad(() => api.session(sessionId, cursor, pageSize), [sessionId, cursor, pageSize]);
  if (error) return <EuiCallOut size="s" color="danger" title={`Session unavailable: ${error.message}`} />;
  const first = pageIx * pageSize + 1;
  const next = () => {
    if (!data?.next) return;
    setCursors((c) => [...c.slice(0, pageIx + 1), data.next]);
    setPageIx(pageIx + 1);
  };
  return (
    <div data-test-subj="timeline">
      <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiText size="xs" color="subdued" data-test-subj="timeline-range">
            {data ? (data.total === 0 ? 'No commands captured in this session.' : `${first.toLocaleString('en')}–${(first + data.items.length - 1).toLocaleString('en')} of ${data.total.toLocaleString('en')} events`) : ' '}
          </EuiText>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiButtonEmpty size="xs" iconType="arrowLeft" isDisabled={pageIx === 0 || loading} onClick={() => setPageIx(pageIx - 1)} data-test-subj="timeline-prev">
            Earlier
          </EuiButtonEmpty>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiButtonEmpty size="xs" iconType="arrowRight" iconSide="right" isDisabled={!data?.next || loading} onClick={next} data-test-subj="timeline-next">
            Later
          </EuiButtonEmpty>
        </EuiFlexItem>
        {loading ? (
          <EuiFlexItem grow={false}>
            <EuiLoadingSpinner size="s" />
          </EuiFlexItem>
        ) : null}
      </EuiFlexGroup>
      <div className="as-terminal" role="log" aria-label="Session timeline">
        {(data?.items ?? []).map((e) => (
          <Line key={e.id} e={e} highlight={highlight} />
        ))}
      </div>
    </div>
  );
}
