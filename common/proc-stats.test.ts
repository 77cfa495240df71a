import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { cpuSecondsOf, cpuShare, describeMachineShares, machineShares, parseMachineCpu, parseProcStat, readMachineCpu, parseProcStatus, processTree, readProc, summarize } from './proc-stats';

describe('proc-stats', () => {
  it('parses /proc/<pid>/stat, counting fields after the last parenthesis', () => {
    // A command name with a space and a `)` in it: the naive split would shift every field.
    const line =
      '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 9312 0 0 0 1234 567 8 9 20 0 11 0 908667 1171247104 19423 18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0\n';
    const s = parseProcStat(line);
    expect(s).to.include({ pid: 4242, comm: 'node (x) y', state: 'S', ppid: 1, utime: 1234, stime: 567, cutime: 8, cstime: 9, numThreads: 11, starttime: 908667 });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('nonsense')).to.throw(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S')).to.throw(/field 4/);
  });

  it('parses VmRSS, VmHWM (kB -> bytes) and Threads from /proc/<pid>/status', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t   98304 kB\nVmRSS:\t   65536 kB\nThreads:\t11\n';
    expect(parseProcStatus(text)).to.deep.equal({ vmHwm: 98304 * 1024, vmRss: 65536 * 1024, threads: 11 });
    expect(parseProcStatus('Name:\tkthreadd\nThreads:\t1\n')).to.deep.equal({ threads: 1 });
  });

  it('computes the CPU share of one core between two samples', () => {
    expect(cpuShare({ atMs: 1000, cpuS: 2, childCpuS: 0 }, { atMs: 3000, cpuS: 2.5, childCpuS: 0 })).to.equal(0.25);
    expect(cpuShare({ atMs: 1000, cpuS: 2, childCpuS: 0 }, { atMs: 1000, cpuS: 2, childCpuS: 0 })).to.be.NaN;
  });

  it('reads busy, steal and total time from the cpu line of /proc/stat', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user already)
    const a = parseMachineCpu('cpu  100 0 50 800 10 5 5 30 0 0\ncpu0 50 0 25 400 5 2 3 15 0 0\n');
    expect(a).to.deep.equal({ busy: 190, steal: 30, total: 1000 });
    const b = parseMachineCpu('cpu  200 0 100 1500 20 10 10 160 0 0\n');
    const s = machineShares(a, b)!;
    expect(s.busy).to.be.closeTo(290 / 1000, 1e-9); // (2000 - 1520) - 190 over 2000 - 1000
    expect(s.steal).to.be.closeTo(130 / 1000, 1e-9);
    expect(describeMachineShares(s, 2)).to.equal('busy 29%, 13.0% stolen by the hypervisor, of 2 cores');
    expect(machineShares(b, a)).to.equal(undefined);
    expect(describeMachineShares(undefined, 2)).to.equal('-');
    expect(() => parseMachineCpu('intr 1 2 3')).to.throw(/not the cpu line/);
    // guest time (fields 9, 10) is inside user/nice already: not counted twice
    expect(parseMachineCpu('cpu  100 0 50 800 10 5 5 30 40 0\n')).to.deep.equal({ busy: 190, steal: 30, total: 1000 });
  });

  it('reads this machine from /proc/stat', () => {
    const m = readMachineCpu()!;
    expect(m.total).to.be.greaterThan(0);
    expect(m.busy).to.be.within(0, m.total);
    expect(m.steal).to.be.within(0, m.busy);
  });

  it('summarizes, ignoring non-finite values', () => {
    expect(summarize([1, NaN, 3])).to.deep.equal({ n: 2, mean: 2, max: 3, min: 1 });
    expect(summarize([]).n).to.equal(0);
  });

  it('reads this process from /proc', function () {
    if (process.platform !== 'linux') this.skip();
    const s = readProc(process.pid)!;
    expect(s.rss).to.be.greaterThan(0);
    expect(s.hwm).to.be.at.least(s.rss!);
    expect(s.cpuS).to.be.greaterThan(0);
    expect(readProc(2 ** 30)).to.equal(undefined);
  });
});

describe('proc-stats process tree', () => {
  it('finds this process and a child of it', async function () {
    if (process.platform !== 'linux') this.skip();
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const tree = processTree(process.pid);
      expect(tree[0]).to.equal(process.pid);
      expect(tree).to.include(child.pid);
      expect(cpuSecondsOf(tree)).to.be.greaterThan(0);
    } finally {
      child.kill();
    }
  });
});
