// The nested workload captured into fixtures/nested-workload.log, defined once: capture-nested.ts runs
// exactly these strings, and the real-data tests derive every expected process, argv, address and file
// from them (never from query output). Changing anything here means re-capturing (see capture-nested.ts).
//
// The story, in its own audit login session:
//
//   bash -c W                                   (the session's entry: exec'd right after loginuid is set)
//   ├── sh -c S
//   │   ├── ls /tmp/<TOKEN>
//   │   ├── id
//   │   └── python3 -c PY_OUT                    connect -> 127.0.0.1:PORT_OUT (a listener outside the session)
//   ├── nc -l 127.0.0.1 PORT_IN                  bind, listen, accept <- 127.0.0.1:SRC_PORT
//   ├── python3 -c PY_IN                         bind 127.0.0.1:SRC_PORT, connect -> 127.0.0.1:PORT_IN
//   └── rm -f /tmp/<TOKEN>                       the deletion
//
// Every -c script ends with a builtin (`:` / `wait`) so neither bash nor dash execs its last command in
// place (both do that optimisation), which would fold a child into its parent's entity.

import path from 'node:path';

/** The committed capture (written by capture-nested.ts, replayed by the real-data tests). */
export const NESTED_FIXTURE = path.join(__dirname, 'fixtures', 'nested-workload.log');

/** Unique in the fixture: the pivot-search token. Only argv and paths of this workload contain it. */
export const TOKEN = 'auditsight-nested-7c1e';
export const TMP_FILE = `/tmp/${TOKEN}`;
/** Loopback ports: a listener started by the capture script outside the session, nc's, python's source. */
export const PORT_OUT = 47311;
export const PORT_IN = 47312;
export const SRC_PORT = 47313;
export const LOOPBACK = '127.0.0.1';

/** Single-quotes a string for bash/dash (the EXECVE records then hold the unquoted string). */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const PY_OUT = `import socket; s=socket.socket(); s.connect(("${LOOPBACK}", ${PORT_OUT})); s.close()`;
// A fixed source port, so the accept's peer address is known in advance, not an ephemeral port.
export const PY_IN =
  `import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); ` +
  `s.bind(("${LOOPBACK}", ${SRC_PORT})); s.connect(("${LOOPBACK}", ${PORT_IN})); s.close()`;

export const SH_SCRIPT = `ls ${TMP_FILE}; id; python3 -c ${q(PY_OUT)}; :`;

/** nc's socket as /proc/net/tcp shows it (little-endian hex address, port, state 0A = LISTEN). */
const procNetListen = `0100007F:${PORT_IN.toString(16).toUpperCase().padStart(4, '0')}:0A`;

// The client must not start before nc listens. A loop of shell builtins reading /proc/net/tcp waits for
// it without running a single extra process (a `sleep` would add a child the tree would have to show).
export const BASH_SCRIPT = [
  `: > ${TMP_FILE}`,
  `sh -c ${q(SH_SCRIPT)}`,
  `nc -l ${LOOPBACK} ${PORT_IN} </dev/null >/dev/null & NC=$!`,
  `listening() { while read -r _ l _ s _; do [ "$l:$s" = ${procNetListen} ] && return 0; done </proc/net/tcp; return 1; }`,
  'until listening; do :; done',
  `python3 -c ${q(PY_IN)}`,
  'wait $NC',
  `rm -f ${TMP_FILE}`,
  'wait',
].join('\n');

/** What the session runs: `bash -c BASH_SCRIPT`, exec'd by the wrapper that opened the session. */
export const ENTRY_ARGV = ['bash', '-c', BASH_SCRIPT];

/**
 * Where the names resolve on the capture machine (Debian 12: /bin -> /usr/bin, sh -> dash, nc ->
 * nc.openbsd, python3 -> python3.11). The kernel reports the resolved file as the executable;
 * capture-nested.ts refuses to capture on a machine that resolves them differently.
 */
export const EXE = {
  bash: '/usr/bin/bash',
  sh: '/usr/bin/dash',
  ls: '/usr/bin/ls',
  id: '/usr/bin/id',
  python3: '/usr/bin/python3.11',
  nc: '/usr/bin/nc.openbsd',
  rm: '/usr/bin/rm',
} as const;

export type ProcKey = 'bash' | 'sh' | 'ls' | 'id' | 'pyOut' | 'nc' | 'pyIn' | 'rm';

export interface ExpectedProcess {
  exe: string;
  args: string[];
  parent?: ProcKey;
}

/** Every process of the session, in the order the workload starts them. */
export const PROCESSES: Record<ProcKey, ExpectedProcess> = {
  bash: { exe: EXE.bash, args: ENTRY_ARGV },
  sh: { exe: EXE.sh, args: ['sh', '-c', SH_SCRIPT], parent: 'bash' },
  ls: { exe: EXE.ls, args: ['ls', TMP_FILE], parent: 'sh' },
  id: { exe: EXE.id, args: ['id'], parent: 'sh' },
  pyOut: { exe: EXE.python3, args: ['python3', '-c', PY_OUT], parent: 'sh' },
  nc: { exe: EXE.nc, args: ['nc', '-l', LOOPBACK, String(PORT_IN)], parent: 'bash' },
  pyIn: { exe: EXE.python3, args: ['python3', '-c', PY_IN], parent: 'bash' },
  rm: { exe: EXE.rm, args: ['rm', '-f', TMP_FILE], parent: 'bash' },
};

/** The chain from the session's entry down to a process, by following `parent`. */
export function lineage(key: ProcKey): ProcKey[] {
  const out: ProcKey[] = [key];
  for (let p = PROCESSES[key].parent; p; p = PROCESSES[p].parent) out.unshift(p);
  return out;
}

export const childrenOf = (key: ProcKey): ProcKey[] =>
  (Object.keys(PROCESSES) as ProcKey[]).filter((k) => PROCESSES[k].parent === key);

/** Socket and file activity, each attached to its process, in workload order. */
export type Activity =
  | { kind: 'exec'; proc: ProcKey }
  | { kind: 'network'; proc: ProcKey; action: string; peer?: { ip: string; port: number }; local?: { ip: string; port: number } }
  | { kind: 'file'; proc: ProcKey; action: string; path: string };

const at = (port: number) => ({ ip: LOOPBACK, port });

/**
 * The session's story as the timeline should tell it. The only order the workload does not force is
 * python's connect against nc's accept (two CPUs); capture-nested.ts checks the capture has the connect
 * first, as a reader expects, and re-captures otherwise.
 */
export const STORY: Activity[] = [
  { kind: 'exec', proc: 'bash' },
  { kind: 'exec', proc: 'sh' },
  { kind: 'exec', proc: 'ls' },
  { kind: 'exec', proc: 'id' },
  { kind: 'exec', proc: 'pyOut' },
  { kind: 'network', proc: 'pyOut', action: 'connected-to', peer: at(PORT_OUT) },
  { kind: 'exec', proc: 'nc' },
  { kind: 'network', proc: 'nc', action: 'bound-socket', local: at(PORT_IN) },
  { kind: 'network', proc: 'nc', action: 'listen-for-connections' },
  { kind: 'exec', proc: 'pyIn' },
  { kind: 'network', proc: 'pyIn', action: 'bound-socket', local: at(SRC_PORT) },
  { kind: 'network', proc: 'pyIn', action: 'connected-to', peer: at(PORT_IN) },
  { kind: 'network', proc: 'nc', action: 'accepted-connection-from', peer: at(SRC_PORT) },
  { kind: 'exec', proc: 'rm' },
  { kind: 'file', proc: 'rm', action: 'deleted', path: TMP_FILE },
];
