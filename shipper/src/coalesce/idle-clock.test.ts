import { expect } from 'chai';
import * as fs from 'node:fs';
import type { EcsEvent } from '../../../common/ecs/event';
import * as path from 'node:path';
import { createPipeline } from '../pipeline';
import { InputIdleClock } from './idle-clock';

describe('coalesce/InputIdleClock', () => {
  it('runs at wall speed while idle and stands still while busy', () => {
    let wall = 1_000_000;
    const c = new InputIdleClock(() => wall);
    wall += 300;
    expect(c.nowMs()).to.equal(300);
    c.busy();
    wall += 5000;
    expect(c.nowMs()).to.equal(300);
    c.busy(); // twice: no effect
    c.idle();
    wall += 200;
    expect(c.nowMs()).to.equal(500);
    c.idle();
    wall += 100;
    expect(c.nowMs()).to.equal(600);
  });

  // A real multi-record event (bob's first execve: SYSCALL, EXECVE, CWD, PATH..., PROCTITLE) whose read was cut in
  // two, the shipper then busy for longer than the timeout (a slow fsync, a saturated CPU) before it reads
  // the rest: the wall clock would have emitted the first half, and the second half, with the same serial
  // and time (so the same _id), would have been refused as a duplicate.
  const lines = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'e2e', 'scenario', 'insider.log'), 'utf8').split('\n');
  const serialOf = (l: string) => /audit\([\d.]+:(\d+)\)/.exec(l)?.[1];
  const exec = lines.filter((l) => l.includes('type=EXECVE')).map(serialOf)[0];
  const event = lines.filter((l) => serialOf(l) === exec);

  /**
   * The event's first two records read, then `between` (advancing the fake wall clock, ticking), then the
   * rest read: what the pipeline emits.
   */
  function cut(maxStepMs: number, between: (clock: InputIdleClock, advance: (ms: number) => void, tick: () => void) => void): EcsEvent[] {
    let wall = 0;
    const clock = new InputIdleClock(() => wall, maxStepMs);
    const out: EcsEvent[] = [];
    const p = createPipeline({ coalesce: { timeoutMs: 2000, clock }, onEvent: (ev) => out.push(ev) });
    clock.busy();
    for (const l of event.slice(0, 2)) p.push(l);
    between(clock, (ms) => (wall += ms), () => p.tick());
    clock.busy();
    for (const l of event.slice(2)) p.push(l);
    p.flush();
    return out;
  }

  function run(behindMs: number, idleMs: number): EcsEvent[] {
    return cut(Number.POSITIVE_INFINITY, (clock, advance, tick) => {
      advance(behindMs); // the rest is in the file, not read yet
      tick();
      clock.idle();
      advance(idleMs);
      tick();
    });
  }

  it('an event cut between two reads stays whole however long the shipper was behind', () => {
    expect(event.length).to.be.greaterThan(3);
    expect(event[event.length - 1]).to.match(/^type=PROCTITLE/); // ends an event with a SYSCALL
    const out = run(10_000, 100);
    expect(out).to.have.length(1);
    expect(out[0].event.action).to.equal('executed');
    expect(out[0].process?.args?.length).to.be.greaterThan(0);
  });

  it('an event whose rest did not come while the input waited leaves at the timeout', () => {
    const out = run(0, 2500);
    // The first half at the timeout, the rest as a second group: the timeout still works.
    expect(out).to.have.length(2);
  });

  it('credits idle time in full at the beats, and at most one step across a gap without beats', () => {
    let wall = 0;
    const c = new InputIdleClock(() => wall, 1000);
    for (let i = 0; i < 40; i++) {
      wall += 250;
      c.beat();
    }
    expect(c.nowMs()).to.equal(10_000);
    wall += 7000; // the event loop did not run
    expect(c.nowMs()).to.equal(11_000);
    c.busy();
    wall += 500;
    c.beat(); // busy: nothing to credit
    expect(c.nowMs()).to.equal(11_000);
  });

  function stalled(maxStepMs: number): EcsEvent[] {
    return cut(maxStepMs, (clock, advance, tick) => {
      clock.idle();
      for (let i = 0; i < 2; i++) {
        advance(250); // waiting for data, the event loop running
        clock.beat();
        tick();
      }
      advance(5000); // a synchronous task held the event loop; the rest of the event is in the file meanwhile
      clock.beat();
      tick();
    });
  }

  it('an event cut between two reads stays whole across a stalled event loop', () => {
    expect(stalled(1000)).to.have.length(1);
    // Counted whole, the stall would have been taken for auditd's silence and split the event.
    expect(stalled(Number.POSITIVE_INFINITY)).to.have.length(2);
  });
});
