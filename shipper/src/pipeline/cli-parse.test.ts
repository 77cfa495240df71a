// `auditsight parse`, run as a real process. Until the command table registers it, the test builds the same
// commander program around registerParse() (so the flags and exit codes tested are the real ones).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { corpusPath, repoRoot } from '../../../test/corpora';
import type { EcsEvent } from '../../../common/ecs/event';

const wired = fs.readFileSync(path.join(repoRoot, 'shipper/src/cli/commands/index.ts'), 'utf8').includes('registerParse');
const INLINE = `require('tsx/cjs'); const p = new (require('commander').Command)();
require('./shipper/src/cli/commands/parse.ts').registerParse(p); p.parseAsync(process.argv.slice(1), { from: 'user' });`;

function cli(args: string[], input?: Buffer): { code: number | null; out: EcsEvent[]; err: string } {
  const argv = wired ? ['bin/auditsight.js', 'parse', ...args] : ['-e', INLINE, '--', 'parse', ...args];
  const r = spawnSync(process.execPath, argv, { cwd: repoRoot, input, maxBuffer: 64 << 20, encoding: 'buffer' });
  const text = r.stdout.toString('utf8');
  return { code: r.status, out: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsEvent), err: r.stderr.toString('utf8') };
}

describe('auditsight parse', function () {
  this.timeout(60_000);

  it('prints one NDJSON event per audit event, enriched, and summarises on stderr', () => {
    const r = cli([corpusPath('go-libaudit', 'testdata', 'lost_messages.log')]);
    expect(r.code).to.equal(0);
    expect(r.out.map((e) => e.event.action)).to.deep.equal([
      'connected-to', 'lost-events', 'executed', 'executed', 'connected-to', 'accepted-connection-from',
    ]);
    expect(r.out[0].process?.entity_id).to.be.a('string');
    expect(r.out[0].host?.id ?? r.out[0].host?.name).to.be.a('string'); // this machine's facts
    expect(r.err).to.match(/17 records, 5 audit events, 0 unparseable lines.*1 sequence gaps \(9 events lost\), 6 events written/);
  });

  it('unparseable lines are error events in the output and counted on stderr; exit code stays 0', () => {
    const r = cli(['--no-enrich', corpusPath('laurel', 'src', 'testdata', 'shell-proc-trace.txt')]);
    expect(r.code).to.equal(0);
    const errors = r.out.filter((e) => e.event.kind === 'pipeline_error');
    expect(errors).to.have.length(24);
    expect(errors[0].event.original).to.be.a('string');
    expect(r.out.filter((e) => e.event.kind === 'event')).to.have.length(9);
    expect(r.out.some((e) => e.process?.entity_id !== undefined)).to.equal(false); // --no-enrich
    expect(r.err).to.match(/24 unparseable lines/).and.match(/24 x line does not start with type=/);
  });

  it('--no-event-original: raw records only where nothing else holds them (unparseable lines, events with warnings)', () => {
    const file = corpusPath('laurel', 'src', 'testdata', 'shell-proc-trace.txt');
    const full = cli(['--no-enrich', file]).out;
    const r = cli(['--no-enrich', '--no-event-original', file]);
    expect(r.code).to.equal(0);
    expect(r.out).to.have.length(full.length);
    const withOriginal = r.out.filter((e) => e.event.original !== undefined);
    const lossy = r.out.filter((e) => e.event.kind === 'pipeline_error' || (e.auditd?.warnings?.length ?? 0) > 0);
    expect(withOriginal).to.deep.equal(lossy);
    expect(withOriginal.length).to.be.greaterThanOrEqual(24); // the unparseable lines at least
    expect(r.out.filter((e) => e.event.original === undefined).length).to.be.greaterThan(0);
    // The rest is the same document, less its raw records (and the read time that lines before the
    // log's first timestamp get).
    const strip = (e: EcsEvent) => ({
      ...e,
      '@timestamp': e.event.kind === 'pipeline_error' ? undefined : e['@timestamp'],
      event: { ...e.event, original: e.event.kind === 'pipeline_error' ? e.event.original : undefined },
    });
    expect(JSON.parse(JSON.stringify(r.out.map(strip)))).to.deep.equal(JSON.parse(JSON.stringify(full.map(strip))));
  });

  it('gzip is detected from the data (stdin and .gz files), --host-from-node keeps this host out', () => {
    const log = fs.readFileSync(corpusPath('auditbeat', 'testdata', 'sudo.log'));
    const gz = zlib.gzipSync(log);
    const viaStdin = cli(['--host-from-node', '-'], gz);
    expect(viaStdin.code).to.equal(0);
    expect(viaStdin.out).to.have.length(20);
    expect(viaStdin.out[0].host).to.equal(undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-parse-'));
    try {
      fs.writeFileSync(path.join(dir, 'audit.log.1.gz'), gz);
      expect(cli(['--no-enrich', path.join(dir, 'audit.log.1.gz')]).out).to.have.length(20);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exit code 1 when the file cannot be read', () => {
    const r = cli(['/nonexistent/audit.log']);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/cannot read \/nonexistent\/audit\.log/);
  });
});
