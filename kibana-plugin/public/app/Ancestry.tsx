// The ancestry as one clickable line: sshd -> bash (bob) -> sudo bash -> bash (root) -> sh /sbin/service1 -> nc ...
// Where the capture stops, say so instead of pretending the chain is complete.
import React from 'react';
import { EuiBadge, EuiCallOut, EuiFlexGroup, EuiFlexItem, EuiLink, EuiLoadingSpinner, EuiText, EuiToolTip } from '@elastic/eui';
import type { AncestryResult, ProcessSummary } from '../../common/types';
import type { AuditsightApi } from '../api';
import { chainLabel, commandOf } from './format';
import { useHref, useLoad } from './nav';

const STOP_TEXT: Record<AncestryResult['stopped'], string | undefined> = {
  root: undefined,
  'parent-not-captured': 'parent not captured',
  'max-depth': 'older ancestors not shown',
  cycle: 'ancestry loops (inconsistent data)',
};

function Node({ p, current, prevUser, linkTo }: { p: ProcessSummary; current: boolean; prevUser?: string; linkTo: (id: string) => string }) {
  const user = p.user?.name;
  // Show the user where it changes along the chain: that is where privilege changed hands.
  const label = `${chainLabel(p)}${user && user !== prevUser ? ` (${user})` : ''}`;
  const tip = `${commandOf(p)}${p.pid !== undefined ? `  pid ${p.pid}` : ''}${p.captured ? '' : '  (not captured: known only from its child)'}`;
  return (
    <EuiToolTip content={tip}>
      {current ? (
        <strong data-test-subj="ancestry-current">{label}</strong>
      ) : (
        <EuiLink href={linkTo(p.entity_id)} data-test-subj="ancestor-link" color={p.captured ? 'primary' : 'subdued'}>
          {label}
          {p.captured ? null : ' ?'}
        </EuiLink>
      )}
    </EuiToolTip>
  );
}

export function AncestryChain({ api, entityId }: { api: AuditsightApi; entityId: string }) {
  const h = useHref();
  const linkTo = (id: string) => h.process(id);
  const { data, error, loading } = useLoad(() => api.ancestry(entityId), [entityId]);
  if (loading) return <EuiLoadingSpinner size="m" />;
  if (error || !data) return <EuiCallOut size="s" color="warning" title={`Ancestry unavailable: ${error?.message ?? 'no data'}`} />;
  const stop = STOP_TEXT[data.stopped];
  return (
    <EuiFlexGroup gutterSize="s" alignItems="center" wrap responsive={false} data-test-subj="ancestry">
      {stop ? (
        <EuiFlexItem grow={false}>
          <EuiBadge color="hollow" data-test-subj="ancestry-stop">
            {stop}
          </EuiBadge>
        </EuiFlexItem>
      ) : null}
      {data.chain.map((p, i) => (
        <React.Fragment key={p.entity_id}>
          {i > 0 || stop ? (
            <EuiFlexItem grow={false}>
              <EuiText size="s" color="subdued" aria-hidden>
                →
              </EuiText>
            </EuiFlexItem>
          ) : null}
          <EuiFlexItem grow={false}>
            <Node p={p} current={p.entity_id === entityId} prevUser={data.chain[i - 1]?.user?.name} linkTo={linkTo} />
          </EuiFlexItem>
        </React.Fragment>
      ))}
    </EuiFlexGroup>
  );
}
