import { expect } from 'chai';
import * as fs from 'node:fs';
import { corpusPath } from '../../../test/corpora';
import type { EcsEvent } from '../../../common/ecs/event';
import { Enricher } from '../enrich';
import { entityId } from '../enrich/ids';
import { Pipeline, runLines, type EventMeta } from './pipeline';
import { ACTION_LOST_EVENTS, TAG_EVENT_PART, TAG_PARSE_FAILURE, TAG_SEQUENCE_GAP } from './events';
import { eventId } from '../outputs/ids';

const lines = (...p: string[]) => fs.readFileSync(corpusPath(...p), 'utf8').split('\n');

describe('pipeline: lines -> parse -> coalesce -> normalize -> enrich', () => {
  it('a corpus log end to end: go-libaudit normal.log gives its 5 events with their values', () => {
    const en = new Enricher({ host: { id: 'h1', name: 'h1' } });
    const { events, stats } = runLines(lines('go-libaudit', 'testdata', 'normal.log'), { enricher: en });
    expect(stats).to.include({ lines: 18, blank: 1, records: 17, parseErrors: 0, groups: 5, events: 5, gaps: 0 });
    expect(events.map((e) => e.auditd?.sequence)).to.deep.equal([58, 59, 60, 61, 62]);
    expect(events.map((e) => e.event.action)).to.deep.equal([
      'connected-to', 'executed', 'executed', 'connected-to', 'accepted-connection-from',
    ]);
    const grep = events[1];
    expect(grep.process?.executable).to.equal('/usr/bin/grep');
    expect(grep.event.original).to.have.length(5); // SYSCALL EXECVE CWD PATH PATH (EOE is not kept)
    // enrich ran: entity id from (host, pid, first time seen)
    expect(grep.process?.entity_id).to.equal(entityId('h1', grep.process!.pid!, Date.parse(grep['@timestamp'])));
    expect(grep.host?.id).to.equal('h1');
    expect(events[0].destination).to.deep.include({ ip: '169.254.169.254', port: 80 });
  });

  it("Auditbeat's sudo.log: 20 single-record events in, 20 events out, with Auditbeat's actions", () => {
    const expected = JSON.parse(fs.readFileSync(corpusPath('auditbeat', 'testdata', 'sudo.log-expected.json'), 'utf8')) as EcsEvent[];
    const { events, stats } = runLines(lines('auditbeat', 'testdata', 'sudo.log'));
    expect(stats).to.include({ records: 20, groups: 20, events: 20, gaps: 0, parseErrors: 0 });
    const bySeq = new Map(events.map((e) => [e.auditd?.sequence, e.event.action]));
    for (const doc of expected) expect(bySeq.get(doc.auditd?.sequence), String(doc.auditd?.sequence)).to.equal(doc.event.action);
  });

  it('garbage interleaved with records: exactly N error events, raw line kept, good events untouched', () => {
    const clean = lines('go-libaudit', 'testdata', 'normal.log');
    const garbage = [
      'hello world',
      'type=SYSCALL msg=audit(notatime:12): arch=c000003e',
      'node=x',
      '\x00\x01\x02 binary junk',
      'type=PATH msg=audit(1492037291.036:99999999999): item=0',
      '   ',
    ];
    const mixed: string[] = [];
    clean.forEach((l, i) => {
      mixed.push(l);
      if (i % 3 === 1) mixed.push(garbage[Math.floor(i / 3)]); // inside events too, not only between them
    });
    const injected = mixed.length - clean.length;
    const blank = mixed.filter((l) => l.trim() === '').length - clean.filter((l) => l.trim() === '').length;
    const errs: string[] = [];
    const ref = runLines(clean);
    const got = runLines(mixed, { onParseError: (e) => errs.push(e.raw), source: 'mixed.log' });
    const errorEvents = got.events.filter((e) => e.event.kind === 'pipeline_error');
    expect(errorEvents).to.have.length(injected - blank);
    expect(got.stats.parseErrors).to.equal(injected - blank);
    expect(errs).to.have.length(injected - blank);
    for (const e of errorEvents) {
      expect(e.tags).to.deep.equal([TAG_PARSE_FAILURE]);
      expect(mixed).to.include(e.event.original);
      expect(e.error?.message).to.match(/^.+ \(mixed\.log:\d+\)$/);
      expect(Date.parse(e['@timestamp'])).to.be.greaterThan(Date.parse('2017-01-01')); // log time, not now()
    }
    const good = got.events.filter((e) => e.event.kind !== 'pipeline_error');
    expect(JSON.stringify(good)).to.equal(JSON.stringify(ref.events));
  });

  it('sequence gaps become lost-events events, placed before the event after the hole, and are counted', () => {
    const gaps: number[] = [];
    const { events, stats, metas } = runLines(lines('go-libaudit', 'testdata', 'lost_messages.log'), {
      onGap: (g) => gaps.push(g.missing),
    });
    expect(stats).to.include({ gaps: 1, missing: 9, groups: 5, events: 6 });
    expect(gaps).to.deep.equal([9]);
    const i = events.findIndex((e) => e.event.action === ACTION_LOST_EVENTS);
    expect(i).to.equal(1);
    expect(events[i]).to.deep.include({ tags: [TAG_SEQUENCE_GAP] });
    expect(events[i].auditd).to.deep.include({ sequence: 59, data: { lost: '9', sequence_after: '49', sequence_before: '59' } });
    expect(events[i + 1].auditd?.sequence).to.equal(59);
    expect(metas[i]).to.deep.equal({ kind: 'gap', checkpoint: undefined });
  });
});

describe('pipeline: records of one serial that arrive as two groups', () => {
  // Laurel's real capture: systemd's SERVICE_START (a single-record user message, complete at once) and the
  // SYSCALL of the netlink sendto that carried it, which the kernel stamps with the same serial and time.
  // Both groups have the same serial and time; the second must not take the first one's _id, or
  // Elasticsearch refuses it as a duplicate and the SYSCALL is lost.
  const lines = fs.readFileSync(corpusPath('laurel', 'src', 'testdata', 'record-service-start.txt'), 'utf8').split('\n');

  it('ships both, the second tagged as part 2 with its own _id', () => {
    const { events } = runLines(lines);
    expect(events.map((e) => e.auditd?.message_type)).to.deep.equal(['service_start', 'syscall']);
    expect(events[0].tags ?? []).to.not.include(`${TAG_EVENT_PART}2`);
    expect(events[1].tags).to.include(`${TAG_EVENT_PART}2`);
    expect(events[1].auditd?.warnings?.join(' ')).to.match(/part 2 of audit event 4486226/);
    expect(events[0].auditd?.sequence).to.equal(events[1].auditd?.sequence);
    expect(eventId(events[1])).to.not.equal(eventId(events[0]));
    // Deterministic: a redelivery after a restart makes the same ids again.
    expect(runLines(lines).events.map((e) => eventId(e))).to.deep.equal(events.map((e) => eventId(e)));
  });
});

describe('pipeline: checkpoints', () => {
  /** Deterministic PRNG so the interleavings are reproducible. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  }

  /** Records of the laurel shell trace, interleaved: events overlap up to 3 at a time, EOEs included. */
  function interleaved(seed: number): string[] {
    const src = lines('laurel', 'src', 'testdata', 'shell-proc-trace.txt').filter((l) => l.startsWith('type='));
    const bySerial = new Map<string, string[]>();
    for (const l of src) {
      const k = /audit\(([^)]*)\)/.exec(l)![1];
      bySerial.set(k, [...(bySerial.get(k) ?? []), l]);
    }
    const queues = [...bySerial.values()];
    const next = rng(seed);
    const out: string[] = [];
    const open: string[][] = [];
    while (queues.length || open.length) {
      while (open.length < 3 && queues.length) open.push([...queues.shift()!]);
      const q = open[Math.floor(next() * open.length)];
      out.push(q.shift()!);
      if (next() < 0.1) out.push('garbage ' + out.length);
      if (q.length === 0) open.splice(open.indexOf(q), 1);
    }
    return out;
  }

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`safeCheckpoint never passes a line whose event is still in flight (interleaving ${seed})`, () => {
      const input = interleaved(seed);
      const covered = new Set<number>(); // line numbers inside emitted events
      const at = new Map(input.map((l, i) => [l, i]));
      const emitted: Array<{ ev: EcsEvent; meta: EventMeta }> = [];
      const p = new Pipeline({
        coalesce: { clock: 'record' },
        onEvent: (ev, meta) => {
          emitted.push({ ev, meta });
          const orig = ev.event.original;
          const raws = Array.isArray(orig) ? orig : orig === undefined ? [] : [orig];
          for (const r of raws) covered.add(at.get(r)!);
          if (ev.event.kind === 'event' && ev.auditd?.sequence !== undefined) {
            // The EOE of an emitted event is covered too (it is not in event.original).
            input.forEach((l, i) => {
              if (l.startsWith('type=EOE') && l.includes(`:${ev.auditd!.sequence}):`)) covered.add(i);
            });
          }
          // The event's checkpoint is its last line.
          if (meta.kind === 'audit') {
            const last = Math.max(...raws.map((r) => at.get(r)!));
            expect(Number(meta.checkpoint)).to.be.at.least(last);
          }
        },
      });
      let advanced = 0;
      input.forEach((l, i) => {
        p.push(l, String(i));
        const safe = p.safeCheckpoint();
        if (safe === undefined) return;
        advanced++;
        for (let j = 0; j <= Number(safe); j++) expect(covered.has(j), `line ${j} <= safe ${safe} after push ${i}`).to.equal(true);
      });
      expect(advanced).to.be.greaterThan(input.length / 2); // it does move while events are in flight
      p.flush();
      expect(p.safeCheckpoint()).to.equal(String(input.length - 1));
      expect(p.stats.parseErrors).to.equal(input.filter((l) => l.startsWith('garbage')).length);
    });
  }

  it('an event waiting for its EOE holds the checkpoint back until tick() times it out', () => {
    let now = 0;
    const out: EventMeta[] = [];
    const p = new Pipeline({ coalesce: { clock: { nowMs: () => now }, timeoutMs: 2000 }, onEvent: (_e, m) => out.push(m) });
    p.push('type=SYSCALL msg=audit(1700000000.000:10): arch=c000003e syscall=2 success=yes exit=3 pid=5 uid=0 comm="cat" exe="/bin/cat"', 'a');
    p.push('type=USER_CMD msg=audit(1700000000.001:11): pid=6 uid=0 auid=0 ses=1 msg=\'cmd="ls" res=success\'', 'b');
    p.push('type=CWD msg=audit(1700000000.000:10): cwd="/"', 'c');
    expect(out).to.have.length(0); // 11 is complete but emitted after 10, in serial order
    expect(p.safeCheckpoint()).to.equal(undefined);
    now = 1999;
    p.tick();
    expect(p.safeCheckpoint()).to.equal(undefined);
    now = 2000;
    p.tick();
    expect(out).to.deep.equal([{ kind: 'audit', checkpoint: 'c' }, { kind: 'audit', checkpoint: 'b' }]);
    expect(p.safeCheckpoint()).to.equal('c');
    expect(p.pending).to.equal(0);
  });

  it('an enricher that throws does not lose the event', () => {
    const { events, stats } = runLines(lines('go-libaudit', 'testdata', 'normal.log'), {
      enricher: { enrich: () => { throw new Error('boom'); } },
    });
    expect(events).to.have.length(5);
    expect(stats.enrichErrors).to.equal(5);
    expect(events[0].auditd?.warnings).to.include('enrich failed: boom');
  });
});
