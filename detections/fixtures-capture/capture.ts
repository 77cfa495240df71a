// Captures the ruleset's fixtures from the real kernel audit subsystem on this machine.
//
//   sudo npx tsx detections/fixtures-capture/capture.ts            # every scenario
//   sudo npx tsx detections/fixtures-capture/capture.ts cron ssh   # scenarios whose rule path contains a word
//
// For each rule, a harmless scripted POSITIVE (the behaviour, done for real on loopback / with throwaway
// files and a throwaway user) and a benign NEGATIVE near-miss run as root, each in its own fresh audit
// session (the wrapper writes /proc/self/loginuid, which gives it a new `ses`), while auditd records with
// the project's recommended rules (shipper/rules/auditsight.rules). Afterwards the raw audit lines of
// exactly that session (every record sharing a serial with a record carrying its `ses=`) are written to
// detections/rules/<tactic>/<rule>.fixtures/{positive,negative}.log. expect.yml beside them is written by
// hand after looking at what the pipeline and the rule make of them (see ruleset.test.ts).
//
// NOT for CI: fixtures are committed and CI only replays them. Needs root, auditd (the `auditd` package)
// and the tools below; it installs missing ones with apt-get and says so.
//
// Live audit: shipper/src/inputs/live-audit.ts (`withLiveAudit`): one capture machine-wide at a time (it
// waits for the lock), auditd started if needed, the rules loaded, everything restored afterwards.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { withLiveAudit } from '../../shipper/src/inputs/live-audit';
import { SCENARIOS, type Scenario } from './scenarios';

const ROOT = path.resolve(__dirname, '..', '..');
const RULES_FILE = path.join(ROOT, 'shipper', 'rules', 'auditsight.rules');
const OUT_DIR = path.join(ROOT, 'detections', 'rules');
const WORK = '/root/auditsight-fx';

/** Tool -> Debian package; installed only when missing. */
const TOOLS: Record<string, string> = {
  nc: 'netcat-openbsd',
  ncat: 'ncat',
  socat: 'socat',
  setcap: 'libcap2-bin',
  insmod: 'kmod',
  crontab: 'cron',
  'ssh-keygen': 'openssh-client',
  gdb: 'gdb',
  auditctl: 'auditd',
  perl: 'perl',
  curl: 'curl',
};

const sh = (cmd: string) => spawnSync('/bin/bash', ['-c', cmd], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ensureTools(): void {
  const missing = Object.entries(TOOLS).filter(([bin]) => sh(`command -v ${bin}`).status !== 0);
  if (!missing.length) return;
  const pkgs = [...new Set(missing.map(([, p]) => p))];
  console.log(`installing missing tools for the fixture capture: ${pkgs.join(' ')} (apt-get)`);
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C', FX: WORK };

/**
 * Runs a script in a new audit session and returns that session id. The session id is read with a
 * shell builtin (no extra exec in the fixture); the script's own commands are the fixture.
 */
function runInSession(script: string): string {
  const wrapped = `echo 0 > /proc/self/loginuid || exit 97\nread -r FXSES < /proc/self/sessionid\necho "FXSES=$FXSES" >&2\ncd "$FX"\n${script}\nwait\n`;
  const r = spawnSync('/bin/bash', ['-c', wrapped], { encoding: 'utf8', env: ENV, timeout: 60_000 });
  const ses = /FXSES=(\d+)/.exec(r.stderr ?? '')?.[1];
  if (!ses) throw new Error(`no session id (exit ${r.status}): ${r.stderr}`);
  return ses;
}

/** Runs a setup/cleanup script outside any captured session (auid unset would be "unset"; it is filtered out by ses anyway). */
function runPlain(script: string | undefined): void {
  if (!script) return;
  const r = spawnSync('/bin/bash', ['-c', `cd "$FX"\n${script}`], { encoding: 'utf8', env: ENV, timeout: 60_000 });
  if (r.status !== 0) console.log(`    (setup/cleanup exited ${r.status}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')})`);
}

const serialOf = (line: string) => /msg=audit\((\d+\.\d+:\d+)\)/.exec(line)?.[1];

/** The lines of one audit session: every record whose serial appears on a record with `ses=<ses>`. */
export function linesOfSession(lines: string[], ses: string): string[] {
  const re = new RegExp(`\\bses=${ses}(?![0-9])`);
  const keep = new Set(lines.filter((l) => re.test(l)).map(serialOf));
  return lines.filter((l) => keep.has(serialOf(l)));
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the capture drives auditd and performs root-only behaviours');
  const only = process.argv.slice(2);
  const scenarios = SCENARIOS.filter((s) => !only.length || only.some((w) => s.rule.includes(w)));
  if (!scenarios.length) throw new Error(`no scenario matches ${only.join(' ')}`);
  ensureTools();
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const sessions: Array<{ s: Scenario; positive: string; negative: string }> = [];
  try {
    const { lines } = await withLiveAudit(RULES_FILE, async () => {
      for (const s of scenarios) {
        console.log(`  ${s.rule}`);
        runPlain(s.setup);
        const positive = runInSession(s.positive);
        await sleep(300);
        const negative = runInSession(s.negative);
        runPlain(s.cleanup);
        sessions.push({ s, positive, negative });
        await sleep(300);
      }
    });
    for (const { s, positive, negative } of sessions) {
      const dir = path.join(OUT_DIR, `${s.rule}.fixtures`);
      fs.mkdirSync(dir, { recursive: true });
      for (const [kind, ses] of [['positive', positive], ['negative', negative]] as const) {
        const got = linesOfSession(lines, ses);
        fs.writeFileSync(path.join(dir, `${kind}.log`), got.join('\n') + '\n');
        console.log(`    ${s.rule} ${kind}: ses=${ses}, ${got.length} lines`);
        }
    }
  } finally {
    fs.rmSync(WORK, { recursive: true, force: true });
    // Belt and braces: the throwaway account and files never outlive a capture, even a failed one.
    sh('userdel auditsight-fx 2>/dev/null; groupdel auditsight-fxg 2>/dev/null; groupdel auditsight-fx 2>/dev/null; rm -f /usr/local/sbin/auditsight-fx /etc/cron.d/auditsight-fx /etc/systemd/system/auditsight-fx.service /etc/profile.d/auditsight-fx.sh /etc/sudoers.d/auditsight-fx /etc/audit/rules.d/auditsight-fx.rules /var/log/audit/auditsight-fx.log /var/log/auditsight-fx.log /etc/ld.so.conf.d/auditsight-fx.conf /root/.ssh/known_hosts.auditsight-fx /dev/shm/auditsight-fx');
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
