// @live: runs against the real kernel audit subsystem; needs root. It fails (never skips) when the
// kernel refuses, with withLiveAudit's reason.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { hexToText, isUpperHex } from '../parse/hex';
import { withAuditLock, withLiveAudit } from './live-audit';

const RULES = path.resolve(__dirname, '../../rules/auditsight.rules');

function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

const auditctl = (args: string[]) =>
  new Promise<string>((resolve, reject) => execFile('auditctl', args, (e, out) => (e ? reject(e) : resolve(out))));

/** The kernel part of a line (ENRICHED appends interpreted fields after 0x1d). */
const kernelPart = (l: string) => l.split('\x1d')[0]!;

/** Decoded argv of an EXECVE record: quoted values as is, hex-encoded ones (spaces, quotes...) decoded. */
function execveArgs(line: string): string[] {
  const body = kernelPart(line);
  const argc = Number(/ argc=(\d+)/.exec(body)?.[1]);
  const args: string[] = [];
  for (let i = 0; i < argc; i++) {
    const m = new RegExp(` a${i}=("([^"]*)"|([0-9A-F]+))(?= |$)`).exec(body);
    if (!m) throw new Error(`a${i} missing or split (a${i}[n]=) in: ${body}`);
    args.push(m[2] !== undefined ? m[2] : hexToText(m[3]!));
  }
  return args;
}

const field = (line: string, name: string) => new RegExp(` ${name}=("([^"]*)"|(\\S+))`).exec(kernelPart(line))?.slice(2).find((v) => v !== undefined);

describe('inputs/live-audit @live', function () {
  this.timeout(120_000);

  it('captures exec (with spaces and quotes), a loopback connect and an unlink under the recommended rules, then restores the rules', async () => {
    const victim = path.join(os.tmpdir(), `x-${randomUUID()}`);
    fs.writeFileSync(victim, 'evidence\n');
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    let result;
    try {
      result = await withLiveAudit(RULES, async (capture) => {
        expect(await sh('bash', ['-c', `sh -c "echo hi"`])).to.equal('hi\n');
        await sh('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
        await sh('rm', [victim]);
        expect(await sh('/bin/echo', ['a b', `c"d`])).to.equal(`a b c"d\n`);
        await capture.mark('workload done');
        return capture.id;
      });
    } finally {
      server.close();
    }
    const { lines, rulesLoaded } = result;
    expect(rulesLoaded.length).to.be.greaterThan(70);
    expect(rulesLoaded).to.include('-a always,exit -F arch=b64 -S execve,execveat -F key=exec');

    const execs = lines.filter((l) => l.startsWith('type=EXECVE ')).map(execveArgs);
    expect(execs).to.deep.include(['bash', '-c', 'sh -c "echo hi"']);
    expect(execs).to.deep.include(['sh', '-c', 'echo hi']);
    expect(execs).to.deep.include(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
    expect(execs).to.deep.include(['rm', victim]);
    expect(execs).to.deep.include(['/bin/echo', 'a b', 'c"d']);
    // Arguments with a space or a quote are hex in the raw record: this is what parse must decode.
    const echo = lines.find((l) => l.startsWith('type=EXECVE ') && execveArgs(l)[0] === '/bin/echo')!;
    expect(isUpperHex(field(echo, 'a1')!)).to.equal(true);

    // The connect: SOCKADDR, struct sockaddr_in in hex: family 2 (little-endian u16), port (big-endian), 127.0.0.1.
    const want = `0200${port.toString(16).toUpperCase().padStart(4, '0')}7F000001`;
    const sockaddr = lines.find((l) => l.startsWith('type=SOCKADDR ') && field(l, 'saddr')!.startsWith(want));
    expect(sockaddr, `SOCKADDR saddr=${want}... among ${lines.filter((l) => l.startsWith('type=SOCKADDR ')).length} SOCKADDR records`).to.not.equal(undefined);
    const serialOf = (l: string) => /msg=audit\([\d.]+:(\d+)\)/.exec(l)![1];
    const connectSyscall = lines.find((l) => l.startsWith('type=SYSCALL ') && serialOf(l) === serialOf(sockaddr!))!;
    expect(field(connectSyscall, 'syscall')).to.equal('42'); // connect on x86_64
    expect(field(connectSyscall, 'key')).to.equal('network_connect');
    if (connectSyscall.includes('\x1d')) expect(sockaddr).to.include(`lport=${port}`); // ENRICHED interpretation

    // The unlink: a PATH record naming the file, nametype=DELETE, in an event keyed file_delete.
    const del = lines.find((l) => l.startsWith('type=PATH ') && field(l, 'name') === victim && field(l, 'nametype') === 'DELETE');
    expect(del, `PATH name=${victim} nametype=DELETE`).to.not.equal(undefined);
    const delSyscall = lines.find((l) => l.startsWith('type=SYSCALL ') && serialOf(l) === serialOf(del!))!;
    expect(field(delSyscall, 'key')).to.equal('file_delete');
    expect(fs.existsSync(victim)).to.equal(false);

    // The extra marker is inside the capture; the start/end markers are not.
    expect(lines.some((l) => l.startsWith('type=USER ') && l.includes(`auditsight-marker ${result.value} workload done`))).to.equal(true);
    expect(result.startMarker).to.include(`auditsight-marker start ${result.value}`);
    expect(result.endMarker).to.include(`auditsight-marker end ${result.value}`);

    // Everything put back (compared under the harness's lock: other suites use it concurrently).
    expect(result.rulesAfter).to.deep.equal(result.rulesBefore);
    expect(result.rulesBefore).to.not.deep.equal(rulesLoaded);
  });

  it('restores rules that were loaded before the capture (round trip through auditctl -l)', async () => {
    const tmp = path.join(os.tmpdir(), `auditsight-prev-${process.pid}.rules`);
    fs.writeFileSync(tmp, '-w /etc/hosts -p wa -k prev_hosts\n-a always,exit -F arch=b64 -S sethostname -F key=prev_host\n');
    // Under the lock: loading "previous" rules while another process captures would corrupt both.
    await withAuditLock(async () => {
      const before = await auditctl(['-l']);
      await auditctl(['-R', tmp]);
      try {
        const r = await withLiveAudit(RULES, async () => undefined);
        expect(r.rulesBefore).to.deep.equal(['-w /etc/hosts -p wa -k prev_hosts', '-a always,exit -F arch=b64 -S sethostname -F key=prev_host']);
        expect(r.rulesAfter).to.deep.equal(r.rulesBefore);
        expect(await auditctl(['-l'])).to.equal(r.rulesBefore.join('\n') + '\n');
      } finally {
        await auditctl(['-D']);
        if (before.trim() !== 'No rules') {
          fs.writeFileSync(tmp, before);
          await auditctl(['-R', tmp]);
        }
        fs.rmSync(tmp, { force: true });
      }
    });
  });

  it('refuses to run while another process holds the lock, naming its pid', async () => {
    const lockFile = path.join(os.tmpdir(), `auditsight-live-lock-test-${process.pid}`);
    fs.writeFileSync(lockFile, '1\n'); // pid 1 is always alive
    try {
      let err: Error | undefined;
      await withLiveAudit(RULES, async () => undefined, { lockFile, lockTimeoutMs: 300 }).catch((e) => (err = e));
      expect(err?.message).to.match(/another live audit capture is running \(pid 1/);
    } finally {
      fs.rmSync(lockFile, { force: true });
    }
  });

  it('fails loudly, with auditctl\'s reason, on a rules file the kernel rejects', async () => {
    const bad = path.join(os.tmpdir(), `auditsight-bad-${process.pid}.rules`);
    fs.writeFileSync(bad, '-a always,exit -F arch=b64 -S no_such_syscall -k x\n');
    try {
      await withAuditLock(async () => {
        const before = await auditctl(['-l']);
        let err: Error | undefined;
        await withLiveAudit(bad, async () => undefined).catch((e) => (err = e));
        expect(err?.message, err?.message).to.match(/loading .*bad.*failed at line 1 .*Syscall name unknown: no_such_syscall/s);
        expect(await auditctl(['-l'])).to.equal(before);
      });
    } finally {
      fs.rmSync(bad, { force: true });
    }
  });
});
