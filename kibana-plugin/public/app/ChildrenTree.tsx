// Children as an expandable tree. Each level is fetched when opened (a shell can have thousands of
// descendants); the server says how many grandchildren each child has, so expanders appear only where useful.
import React, { useState } from 'react';
import { EuiBadge, EuiButtonIcon, EuiCallOut, EuiCode, EuiFlexGroup, EuiFlexItem, EuiLink, EuiLoadingSpinner, EuiText } from '@elastic/eui';
import type { ChildNode } from '../../common/types';
import type { AuditsightApi } from '../api';
import { commandOf, shortTime } from './format';
import { useHref, useLoad } from './nav';

function Row({ api, node, depth }: { api: AuditsightApi; node: ChildNode; depth: number }) {
  const [open, setOpen] = useState(false);
  const h = useHref();
  return (
    <li data-test-subj="child-row" data-entity-id={node.entity_id}>
      <EuiFlexGroup gutterSize="xs" alignItems="center" responsive={false} style={{ paddingLeft: depth * 20 }}>
        <EuiFlexItem grow={false} style={{ width: 24 }}>
          {node.child_count > 0 ? (
            <EuiButtonIcon
              iconType={open ? 'arrowDown' : 'arrowRight'}
              aria-label={open ? 'Collapse children' : `Expand ${node.child_count} children`}
              aria-expanded={open}
              data-test-subj="expand-child"
              onClick={() => setOpen(!open)}
            />
          ) : null}
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiText size="xs" color="subdued">
            {shortTime(node.timestamp)}
          </EuiText>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiLink href={h.process(node.entity_id)} data-test-subj="child-link">
            <EuiCode transparentBackground>{commandOf(node)}</EuiCode>
          </EuiLink>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiText size="xs" color="subdued">
            {node.user?.name ?? ''}
            {node.pid !== undefined ? ` pid ${node.pid}` : ''}
          </EuiText>
        </EuiFlexItem>
        {node.child_count > 0 ? (
          <EuiFlexItem grow={false}>
            <EuiBadge color="hollow">{node.child_count === 1 ? '1 child' : `${node.child_count} children`}</EuiBadge>
          </EuiFlexItem>
        ) : null}
      </EuiFlexGroup>
      {open ? <Level api={api} entityId={node.entity_id} depth={depth + 1} /> : null}
    </li>
  );
}

function Level({ api, entityId, depth }: { api: AuditsightApi; entityId: string; depth: number }) {
  const { data, error, loading } = useLoad(() => api.children(entityId), [entityId]);
  if (loading) return <EuiLoadingSpinner size="s" style={{ marginLeft: depth * 20 }} />;
  if (error || !data) return <EuiCallOut size="s" color="danger" title={`Children unavailable: ${error?.message ?? ''}`} />;
  if (depth === 0 && data.children.length === 0) {
    return (
      <EuiText size="s" color="subdued" data-test-subj="no-children">
        No child processes captured.
      </EuiText>
    );
  }
  return (
    <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} data-test-subj={depth === 0 ? 'children-tree' : 'children-subtree'}>
      {data.children.map((c) => (
        <Row key={c.entity_id} api={api} node={c} depth={depth} />
      ))}
      {data.truncated ? (
        <li>
          <EuiText size="xs" color="subdued" style={{ paddingLeft: depth * 20 + 24 }}>
            More children than shown; use the session timeline or search to see them all.
          </EuiText>
        </li>
      ) : null}
    </ul>
  );
}

export function ChildrenTree({ api, entityId }: { api: AuditsightApi; entityId: string }) {
  return <Level api={api} entityId={entityId} depth={0} />;
}
