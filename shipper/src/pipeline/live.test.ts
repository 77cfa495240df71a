// @live: the whole path on a real kernel. auditd (started by the harness if needed) records a scripted
// workload under the recommended rules (shipper/rules/auditsight.rules); the lines of the workload's own
// audit login session go through the real `auditsight parse` (node bin/auditsight.js parse FILE, a child
// process); the NDJSON it prints must be exactly what the workload did. Needs root; it fails (never
// skips) when the kernel refuses, with withLiveAudit's reason.
//
// The workload, in a fresh audit session (the wrapper writes /proc/self/loginuid, then execs bash):
//
//   bash -c BASH                      the session's entry leader
//   ├── sh -c SH                      (dash on Debian)
//   │   ├── /bin/echo "a b" 'c"d' 'e f'
//   │   └── python3 -c PY             connect -> 127.0.0.1:<port> (a listener in this process, outside the session)
//   └── rm -f /tmp/auditsight-live-<uuid>   the deletion of a file this test created
//
// Every -c script ends with the builtin `:` so neither bash nor dash execs its last command in place
// (which would fold a child into its parent's process). Every expected value below comes from this
// definition (and, for executables, from resolving the names on this machine), never from the output.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';
import { linesOfSession } from '../../../detections/fixtures-capture/capture';
import { withLiveAudit } from '../inputs/live-audit';
import { auditsightParse, resolveExecutable, runInFreshSession, type ParseRun } from './live-session';

const RULES = path.resolve(__dirname, '../../rules/auditsight.rules');
const LOOPBACK = '127.0.0.1';

/** Single-quotes a string for bash/dash (the EXECVE record then holds the unquoted string). */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

type Key = 'bash' | 'sh' | 'echo' | 'python' | 'rm';
/** In the order the workload starts them. */
const KEYS: Key[] = ['bash', 'sh', 'echo', 'python', 'rm'];

interface Proc {
  args: string[];
  parent?: Key;
  /**
   * The process's own events, in order. `fork`: a clone/fork/vfork it made to start a child (a shell forks
   * once per command that is not its last). bash's first event is the wrapper's loginuid write (same pid,
   * before the exec), which is what opens the session.
   */
  actions: string[];
}

function workload(tmpFile: string, port: number) {
  const py = `import socket; s=socket.socket(); s.connect((${JSON.stringify(LOOPBACK)}, ${port})); s.close()`;
  // Written as a person would type it: the shell, not this test, does the quoting of echo's arguments.
  const shScript = `/bin/echo "a b" 'c"d' 'e f'; python3 -c ${q(py)}; :`;
  const bashScript = `sh -c ${q(shScript)}; rm -f ${tmpFile}; :`;
  const procs: Record<Key, Proc> = {
    // bash was forked outside the session (by the test), so it has no fork event in the session's lines.
    bash: { args: ['bash', '-c', bashScript], actions: ['changed-login-id-to', 'executed', 'clone', 'clone', 'end'] },
    sh: { args: ['sh', '-c', shScript], parent: 'bash', actions: ['fork', 'executed', 'clone', 'clone', 'end'] },
    echo: { args: ['/bin/echo', 'a b', 'c"d', 'e f'], parent: 'sh', actions: ['fork', 'executed', 'end'] },
    python: { args: ['python3', '-c', py], parent: 'sh', actions: ['fork', 'executed', 'connected-to', 'end'] },
    rm: { args: ['rm', '-f', tmpFile], parent: 'bash', actions: ['fork', 'executed', 'deleted', 'end'] },
  };
  return procs;
}

const serialOf = (line: string) => Number(/msg=audit\(\d+\.\d+:(\d+)\)/.exec(line)?.[1]);

/** Jumps in the serials of the file given to parse: records of other sessions/processes filtered out. */
function serialGaps(lines: string[]): Array<{ after: number; before: number }> {
  const serials = [...new Set(lines.map(serialOf))].sort((a, b) => a - b);
  const gaps: Array<{ after: number; before: number }> = [];
  for (let i = 1; i < serials.length; i++) if (serials[i]! - serials[i - 1]! > 1) gaps.push({ after: serials[i - 1]!, before: serials[i]! });
  return gaps;
}

describe('pipeline live: real auditd, recommended rules, a scripted workload through `auditsight parse` @live', function () {
  this.timeout(120_000); // seconds of work; the rest is room to wait for another process's capture lock

  const tmpFile = `/tmp/auditsight-live-${randomUUID()}`;
  let dir: string;
  let port: number;
  let procs: Record<Key, Proc>;
  let exe: Record<Key, string>;
  let ses: string;
  let sessionLines: string[];
  let parsed: ParseRun;
  let events: EcsEvent[];
  let connections = 0;
  /** Entity id of each defined process: the one its exec event got (the only thing taken from the output). */
  const ids = {} as Record<Key, string>;
  let passed = 0;

  const describeEvents = () =>
    events.map((e) => `${e.auditd?.sequence} ${e.event.action ?? '-'} ${e.process?.executable ?? ''} ${JSON.stringify(e.process?.args ?? [])}`).join('\n');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-live-pipeline-'));
    fs.writeFileSync(tmpFile, 'evidence\n');
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, LOOPBACK, resolve));
    port = (server.address() as net.AddressInfo).port;
    procs = workload(tmpFile, port);
    // What the kernel reports as exe: the names resolved (symlinks followed) through the session's PATH.
    exe = Object.fromEntries(KEYS.map((k) => [k, resolveExecutable(procs[k].args[0]!)])) as Record<Key, string>;
    let capture;
    try {
      capture = await withLiveAudit(RULES, () => runInFreshSession(procs.bash.args));
    } finally {
      server.close();
      fs.rmSync(tmpFile, { force: true });
    }
    ses = capture.value;
    sessionLines = linesOfSession(capture.lines, ses);
    const file = path.join(dir, `session-${ses}.log`);
    fs.writeFileSync(file, sessionLines.join('\n') + '\n');
    parsed = await auditsightParse(file);
    events = parsed.events;
    fs.writeFileSync(path.join(dir, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (const k of KEYS) {
      const p = procs[k];
      const execs = events.filter((e) => e.event.action === 'executed' && JSON.stringify(e.process?.args) === JSON.stringify(p.args));
      expect(execs, `one exec of ${k} (${p.args.join(' ')}) in:\n${describeEvents()}`).to.have.length(1);
      ids[k] = execs[0]!.process!.entity_id!;
    }
    expect(new Set(Object.values(ids)).size, 'one entity id per process').to.equal(KEYS.length);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'passed') passed++;
  });

  after(function () {
    fs.rmSync(tmpFile, { force: true });
    if (!dir) return;
    // Keep the evidence of a failure, before hook included (the session's log and parse's output).
    if (passed !== this.test?.parent?.tests.length) console.log(`    live pipeline test: session log and events kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI reads every line: exit 0, no pipeline_error events, nothing unparseable', () => {
    expect(parsed.code, parsed.stderr).to.equal(0);
    expect(events.filter((e) => e.event.kind === 'pipeline_error'), 'pipeline_error events').to.deep.equal([]);
    expect(parsed.stderr).to.match(new RegExp(`^auditsight parse: ${sessionLines.length} lines, ${sessionLines.length} records, \\d+ audit events, 0 unparseable lines`));
    expect(fs.existsSync(tmpFile)).to.equal(false);
    expect(connections, 'connections the loopback listener accepted').to.equal(1);
  });

  it('exec events: exactly the workload\'s, in order, with exact argv (quotes and spaces intact) and resolved executables', () => {
    const execs = events.filter((e) => e.event.action === 'executed');
    expect(execs.map((e) => [e.process?.executable, e.process?.args]), describeEvents()).to.deep.equal(KEYS.map((k) => [exe[k], procs[k].args]));
    expect(execs.map((e) => e.process?.entity_id)).to.deep.equal(KEYS.map((k) => ids[k]));
    const echo = execs[KEYS.indexOf('echo')]!;
    expect(echo.process?.args).to.deep.equal(['/bin/echo', 'a b', 'c"d', 'e f']);
    expect(echo.process?.args_count).to.equal(4);
  });

  it('parent chain: echo -> sh -> bash by entity id, executable and argv; ancestry; bash\'s parent is this test process', () => {
    const execOf = (k: Key) => events.find((e) => e.event.action === 'executed' && e.process?.entity_id === ids[k])!;
    for (const k of KEYS) {
      const parent = procs[k].parent;
      if (!parent) continue;
      const p = execOf(k).process!.parent!;
      expect(p.entity_id, `parent of ${k}`).to.equal(ids[parent]);
      expect(p.executable, `parent of ${k}`).to.equal(exe[parent]);
      expect(p.args, `parent of ${k}`).to.deep.equal(procs[parent].args);
    }
    // The echo's chain, spelled out: its parent is the sh, whose parent is the bash.
    const echo = execOf('echo').process!;
    expect([echo.parent?.executable, execOf('sh').process!.parent?.executable]).to.deep.equal([exe.sh, exe.bash]);
    // bash was exec'd by the wrapper this process spawned: its parent is us, known only by pid (outside the session).
    const bash = execOf('bash').process!;
    expect(bash.parent?.pid).to.equal(process.pid);
    expect(bash.parent?.executable).to.equal(undefined);
    const outside = bash.parent!.entity_id!;
    expect(outside).to.be.a('string');
    const lineage = (k: Key): Key[] => (procs[k].parent ? [procs[k].parent!, ...lineage(procs[k].parent!)] : []);
    for (const k of KEYS) {
      expect(execOf(k).process?.Ext?.ancestry, `ancestry of ${k}`).to.deep.equal([...lineage(k).map((x) => ids[x]), outside]);
    }
    expect(echo.Ext?.ancestry).to.deep.equal([ids.sh, ids.bash, outside]);
  });

  it('one session: every event has auditd.session and the entry leader bash -c (the session\'s first exec)', () => {
    const own = events.filter((e) => e.event.action !== 'lost-events');
    expect(own.length).to.be.greaterThan(0);
    for (const e of own) {
      const what = `${e.auditd?.sequence} ${e.event.action}`;
      expect(e.auditd?.session, what).to.equal(ses);
      expect(e.process?.entry_leader?.entity_id, what).to.equal(ids.bash);
    }
    for (const k of KEYS) {
      const leader = events.find((e) => e.event.action === 'executed' && e.process?.entity_id === ids[k])!.process!.entry_leader!;
      expect([leader.executable, leader.args], `entry leader of ${k}`).to.deep.equal([exe.bash, procs.bash.args]);
    }
  });

  it('the connect: one connected-to by python, to 127.0.0.1:<port>', () => {
    const connects = events.filter((e) => e.event.action === 'connected-to');
    expect(connects, describeEvents()).to.have.length(1);
    const c = connects[0]!;
    expect(c.process?.entity_id).to.equal(ids.python);
    expect([c.process?.executable, c.process?.args]).to.deep.equal([exe.python, procs.python.args]);
    expect(c.destination).to.deep.include({ ip: LOOPBACK, port });
  });

  it('the deletion: one deleted by rm, of the temp file', () => {
    const deletions = events.filter((e) => e.event.action === 'deleted');
    expect(deletions, describeEvents()).to.have.length(1);
    const d = deletions[0]!;
    expect(d.process?.entity_id).to.equal(ids.rm);
    expect([d.process?.executable, d.process?.args]).to.deep.equal([exe.rm, procs.rm.args]);
    expect(d.file?.path).to.equal(tmpFile);
  });

  it('nothing else: each process\'s events are exactly its defined ones; the only other events mark the serials filtered out', () => {
    // A clone record (the caller's, no action) is 'clone'; the derived event describing the child is 'fork'.
    // The child's own exec can reach us before its parent's clone record, so its fork is listed first.
    const label = (e: EcsEvent) => e.event.action ?? (e.tags?.includes('process_create') ? 'clone' : `? ${e.auditd?.data?.syscall}`);
    const ofProc = (id: string | undefined) => {
      const mine = events.filter((e) => e.process?.entity_id === id);
      return [...mine.filter((e) => e.event.action === 'fork'), ...mine.filter((e) => e.event.action !== 'fork')].map(label);
    };
    const byProc = Object.fromEntries(KEYS.map((k) => [k, ofProc(ids[k])]));
    expect(byProc, describeEvents()).to.deep.equal(Object.fromEntries(KEYS.map((k) => [k, procs[k].actions])));
    // Parsing one session's lines leaves holes in the serials wherever another process's records were
    // (typically this process's accept of python's connection, and anything else the machine was doing):
    // parse marks each hole as a lost-events gap, and there must be no other.
    const rest = events.filter((e) => !KEYS.some((k) => e.process?.entity_id === ids[k]));
    expect(rest.map((e) => [e.event.action, e.tags, e.auditd?.data?.sequence_after, e.auditd?.data?.sequence_before, e.auditd?.data?.lost]))
      .to.deep.equal(serialGaps(sessionLines).map((g) => ['lost-events', ['_auditsight_sequence_gap'], String(g.after), String(g.before), String(g.before - g.after - 1)]));
  });
});

