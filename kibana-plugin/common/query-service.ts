// The one query service behind every process-details view, framework independent: Kibana hands it the
// request-scoped client (asCurrentUser, so Elasticsearch's own privileges decide what a user may read),
// the standalone console hands it the configured client. User input only ever reaches a query as a value
// (term/terms/wildcard values, search_after), never as query text, so nothing here can be injected.
import { isIP } from 'node:net';
import type { Client, estypes } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../common/ecs/event';
import {
  and, END, EARLIEST, EXEC, FILE, FILE_CHANGE, LATEST, NETWORK, PAGE_SORT, SCOPED_SORT, alertSummary, fileEntry, networkEntry, searchHit, stubFromChild,
  summarize, timelineEntry, type AlertDoc, type Hit,
} from './mappers';
import { decodeCursor, encodeCursor, escapeWildcard } from './params';
import type {
  AlertSummary, AncestryResult, ChildrenResult, FileEntry, IndexConfig, NetworkEntry, Page, ProcessDetails,
  ProcessSummary, RawEvent, SearchHit, TimelineEntry,
} from './types';

type Q = estypes.QueryDslQueryContainer;

/** All the service needs of a client: Kibana's scoped ElasticsearchClient and a plain Client both fit. */
export type SearchClient = Pick<Client, 'search' | 'transport'>;

/** A process or a login session: the two things every activity view can be scoped to. */
export type Scope = { entityId: string } | { sessionId: string };

/** Thrown for a well-formed request about something that does not exist; adapters map it to 404. */
export class NotFoundError extends Error {
  readonly status = 404;
}

/** Fields the pivot search looks in. Keyword fields; unmapped ones simply match nothing. */
export const SEARCH_FIELDS = [
  'process.executable',
  'process.args',
  'process.command_line',
  'process.working_directory',
  'file.path',
  'file.target_path',
  'user.name',
  'user.audit.name',
  'host.name',
] as const;

const term = (field: string, value: string): Q => ({ term: { [field]: value } });

function scopeQuery(scope: Scope): Q {
  if ('entityId' in scope) return term('process.entity_id', scope.entityId);
  return {
    bool: {
      should: [term('process.entry_leader.entity_id', scope.sessionId), term('process.session_leader.entity_id', scope.sessionId)],
      minimum_should_match: 1,
    },
  };
}

function totalOf(t: estypes.SearchTotalHits | number | undefined): number {
  return typeof t === 'number' ? t : (t?.value ?? 0);
}

export class QueryService {
  constructor(
    private readonly client: SearchClient,
    private readonly indices: IndexConfig,
  ) {}

  private async searchEvents(req: Omit<estypes.SearchRequest, 'index'>): Promise<estypes.SearchResponse<EcsEvent>> {
    // Missing indices are normal (nothing shipped yet, or only one of the two naming schemes in use).
    return this.client.search<EcsEvent>({ index: this.indices.events, ignore_unavailable: true, allow_no_indices: true, ...req });
  }

  private async searchAlerts(req: Omit<estypes.SearchRequest, 'index'>): Promise<estypes.SearchResponse<AlertDoc>> {
    // Alert indices are dot-prefixed and usually hidden: wildcards must be told to expand to hidden ones.
    return this.client.search<AlertDoc>({
      index: this.indices.alerts,
      ignore_unavailable: true,
      allow_no_indices: true,
      expand_wildcards: ['open', 'hidden'],
      ...req,
    });
  }

  /** The latest exec event of each entity (else its first event); ids with no event at all are absent. */
  private async summaries(ids: string[]): Promise<Map<string, ProcessSummary>> {
    const out = new Map<string, ProcessSummary>();
    if (ids.length === 0) return out;
    const execs = await this.searchEvents({
      size: ids.length,
      query: and({ terms: { 'process.entity_id': ids } }, EXEC),
      collapse: { field: 'process.entity_id' },
      sort: LATEST,
    });
    for (const h of execs.hits.hits) {
      const id = h._source?.process?.entity_id;
      if (id) out.set(id, summarize(h, id));
    }
    const missing = ids.filter((id) => !out.has(id));
    if (missing.length) {
      const any = await this.searchEvents({
        size: missing.length,
        query: { terms: { 'process.entity_id': missing } },
        collapse: { field: 'process.entity_id' },
        sort: EARLIEST,
      });
      for (const h of any.hits.hits) {
        const id = h._source?.process?.entity_id;
        if (id) out.set(id, summarize(h, id));
      }
    }
    return out;
  }

  /** A process known only as some event's parent (e.g. sshd started before capture began). */
  private async stub(entityId: string): Promise<ProcessSummary | undefined> {
    const r = await this.searchEvents({ size: 1, query: term('process.parent.entity_id', entityId), sort: EARLIEST });
    const h = r.hits.hits[0];
    return h ? stubFromChild(h, entityId) : undefined;
  }

  async getProcess(entityId: string): Promise<ProcessDetails> {
    const byId = term('process.entity_id', entityId);
    const [execs, first, end] = await Promise.all([
      this.searchEvents({ size: 1, track_total_hits: true, query: and(byId, EXEC), sort: LATEST }),
      this.searchEvents({ size: 1, query: byId, sort: EARLIEST }),
      this.searchEvents({ size: 1, query: and(byId, END), sort: LATEST }),
    ]);
    const hit = execs.hits.hits[0] ?? first.hits.hits[0];
    if (!hit) {
      const stub = await this.stub(entityId);
      if (!stub) throw new NotFoundError(`no events for process ${entityId}`);
      return { ...stub, exec_count: 0 };
    }
    const endSrc = end.hits.hits[0]?._source;
    return {
      ...summarize(hit, entityId),
      exec_count: totalOf(execs.hits.total),
      end: endSrc ? (endSrc.process?.end ?? endSrc['@timestamp']) : undefined,
      exit_code: endSrc?.process?.exit_code,
      source_event: { id: hit._id ?? '', index: hit._index },
    };
  }

  /** Walks process.parent.entity_id upwards, one level per round trip, at most maxDepth levels. */
  async getAncestry(entityId: string, maxDepth = 32): Promise<AncestryResult> {
    const self = (await this.summaries([entityId])).get(entityId) ?? (await this.stub(entityId));
    if (!self) throw new NotFoundError(`no events for process ${entityId}`);
    const chain: ProcessSummary[] = [self];
    const seen = new Set([entityId]);
    let cur = self;
    for (;;) {
      const parentId = cur.parent_entity_id;
      if (!parentId) {
        // Without a parent id: pid 1 (or ppid 0) is a real root; anything else lost its parent to the capture.
        const root = cur.pid === 1 || cur.ppid === 0;
        return { chain, stopped: root ? 'root' : 'parent-not-captured' };
      }
      if (seen.has(parentId)) return { chain, stopped: 'cycle' };
      if (chain.length > maxDepth) return { chain, stopped: 'max-depth' };
      seen.add(parentId);
      const parent = (await this.summaries([parentId])).get(parentId);
      if (!parent) {
        // Known only from the child: show what the child's event says, then stop.
        chain.unshift((await this.stub(parentId)) ?? { entity_id: parentId, captured: false });
        return { chain, stopped: 'parent-not-captured' };
      }
      chain.unshift(parent);
      cur = parent;
    }
  }

  async getChildren(entityId: string, size = 200): Promise<ChildrenResult> {
    const r = await this.searchEvents({
      size: 0,
      query: term('process.parent.entity_id', entityId),
      aggs: {
        children: {
          // Start order. Audit times are coarse (a jiffy: 4 ms), so siblings started in one burst (`ls; id`)
          // often share a millisecond; the audit serial breaks those ties the way they happened.
          terms: { field: 'process.entity_id', size: size + 1, order: [{ first: 'asc' }, { first_serial: 'asc' }] },
          aggs: { first: { min: { field: '@timestamp' } }, first_serial: { min: { field: 'auditd.sequence' } } },
        },
      },
    });
    type Bucket = { key: string; doc_count: number };
    const buckets = ((r.aggregations?.children as { buckets?: Bucket[] } | undefined)?.buckets ?? []).slice(0, size + 1);
    const truncated = buckets.length > size;
    const kept = buckets.slice(0, size);
    const ids = kept.map((b) => b.key);
    const [sums, grand] = await Promise.all([
      this.summaries(ids),
      ids.length
        ? this.searchEvents({
            size: 0,
            query: { terms: { 'process.parent.entity_id': ids } },
            aggs: {
              parents: {
                terms: { field: 'process.parent.entity_id', size: ids.length },
                aggs: { kids: { cardinality: { field: 'process.entity_id' } } },
              },
            },
          })
        : undefined,
    ]);
    const kidCount = new Map<string, number>();
    type GBucket = { key: string; kids: { value: number } };
    for (const b of (grand?.aggregations?.parents as { buckets?: GBucket[] } | undefined)?.buckets ?? []) kidCount.set(b.key, b.kids.value);
    return {
      parent_entity_id: entityId,
      truncated,
      children: kept.map((b) => ({
        ...(sums.get(b.key) ?? { entity_id: b.key, captured: true }),
        child_count: kidCount.get(b.key) ?? 0,
        event_count: b.doc_count,
      })),
    };
  }

  /**
   * Everything typed in a login session, in order: each exec, plus the file deletions/renames and socket
   * activity that happened in it (so `rm ~/.bash_history` shows both as a command and as the deletion).
   */
  async getSessionTimeline(sessionId: string, opts: { leader?: 'entry' | 'session'; size?: number; cursor?: string } = {}): Promise<Page<TimelineEntry>> {
    const field = opts.leader === 'session' ? 'process.session_leader.entity_id' : 'process.entry_leader.entity_id';
    const r = await this.searchEvents({
      size: opts.size ?? 200,
      track_total_hits: true,
      query: and(term(field, sessionId), { bool: { should: [EXEC, FILE_CHANGE, NETWORK], minimum_should_match: 1 } }),
      sort: SCOPED_SORT,
      search_after: opts.cursor ? decodeCursor(opts.cursor) : undefined,
    });
    return this.page(r, opts.size ?? 200, timelineEntry);
  }

  private page<T, S>(r: estypes.SearchResponse<S>, size: number, map: (h: estypes.SearchHit<S>) => T): Page<T> {
    const hits = r.hits.hits;
    const last = hits[hits.length - 1];
    return {
      items: hits.map(map),
      total: totalOf(r.hits.total),
      next: hits.length === size && last?.sort ? encodeCursor(last.sort) : undefined,
    };
  }

  async getNetwork(scope: Scope, size = 200): Promise<NetworkEntry[]> {
    const r = await this.searchEvents({ size, query: and(scopeQuery(scope), NETWORK), sort: SCOPED_SORT });
    return r.hits.hits.map(networkEntry);
  }

  async getFiles(scope: Scope, size = 200): Promise<FileEntry[]> {
    const r = await this.searchEvents({ size, query: and(scopeQuery(scope), FILE), sort: SCOPED_SORT });
    return r.hits.hits.map(fileEntry);
  }

  /** Alerts raised on a process, on anything in a session, or (no scope) the latest ones. */
  async getAlerts(opts: { scope?: Scope; from?: string; to?: string; size?: number } = {}): Promise<AlertSummary[]> {
    const filter: Q[] = [term('event.kind', 'alert')];
    if (opts.scope) filter.push(scopeQuery(opts.scope));
    if (opts.from || opts.to) filter.push({ range: { '@timestamp': { gte: opts.from, lte: opts.to } } });
    const r = await this.searchAlerts({ size: opts.size ?? 100, query: and(...filter), sort: [{ '@timestamp': { order: 'desc' } }] });
    return r.hits.hits.map(alertSummary);
  }

  async getAlert(id: string): Promise<AlertSummary> {
    const r = await this.searchAlerts({ size: 1, query: and({ ids: { values: [id] } }, term('event.kind', 'alert')) });
    const h = r.hits.hits[0];
    if (!h) throw new NotFoundError(`no alert ${id}`);
    return alertSummary(h);
  }

  /**
   * Pivot: the user's text as a literal substring of paths, args, users and hosts, on every host and at any
   * time unless a range is given. The text is escaped and used as a wildcard *value*, never parsed as a query.
   */
  async search(text: string, opts: { from?: string; to?: string; size?: number } = {}): Promise<Page<SearchHit>> {
    const pattern = `*${escapeWildcard(text)}*`;
    const should: Q[] = SEARCH_FIELDS.map((f) => ({ wildcard: { [f]: { value: pattern, case_insensitive: true } } }));
    // auditd.paths is flattened (keyed), which takes no wildcard queries: substrings are found through
    // file.path (normalize copies the event's primary PATH there), and any PATH name by exact match here.
    should.push(term('auditd.paths.name', text));
    const trimmed = text.trim();
    if (isIP(trimmed)) {
      for (const f of ['source.ip', 'destination.ip', 'host.ip']) should.push(term(f, trimmed));
    }
    const filter: Q[] = [];
    if (opts.from || opts.to) filter.push({ range: { '@timestamp': { gte: opts.from, lte: opts.to } } });
    const size = opts.size ?? 100;
    const r = await this.searchEvents({
      size,
      track_total_hits: true,
      query: { bool: { filter, should, minimum_should_match: 1 } },
      sort: [{ '@timestamp': { order: 'desc' } }],
    });
    return { items: r.hits.hits.map(searchHit), total: totalOf(r.hits.total) };
  }

  /** The stored documents themselves, for the raw (JSON) view: by scope, or an alert's source events. */
  async getRawEvents(opts: { scope?: Scope; alertId?: string; size?: number; cursor?: string }): Promise<Page<RawEvent>> {
    let query: Q;
    if (opts.alertId) {
      const ids = (await this.getAlert(opts.alertId)).source_event_ids;
      query = { ids: { values: ids } };
    } else if (opts.scope) {
      query = scopeQuery(opts.scope);
    } else {
      throw new Error('getRawEvents needs a scope or an alert id');
    }
    const size = opts.size ?? 100;
    const r = await this.searchEvents({
      size,
      track_total_hits: true,
      query,
      // An alert's source events may come from several hosts, where serials mean nothing to each other.
      sort: opts.alertId ? PAGE_SORT : SCOPED_SORT,
      search_after: opts.cursor ? decodeCursor(opts.cursor) : undefined,
    });
    return this.page(r, size, (h: Hit) => ({ id: h._id ?? '', index: h._index, source: h._source as EcsEvent }));
  }
}
