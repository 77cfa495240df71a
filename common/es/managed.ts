// A managed single-node Elasticsearch on 127.0.0.1 for tests, benchmarks and the default `auditsight up`.
// Elasticsearch refuses to run as root, so when we are root it runs as a dedicated system user.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { DEFAULT_ES_VERSION, findJavaHome, unpack, type Progress } from './distribution';

export const ES_USER = 'auditsight-es';

export interface ManagedOptions {
  version?: string;
  /** Heap for the JVM; 512m keeps several instances possible on a 2-core, small machine. */
  heap?: string;
  /**
   * Enable x-pack security (basic auth with the `elastic` user, password below). The minimal distribution
   * cannot create its .security index (it lacks analysis-common), so API keys and native users/roles need
   * the test-only analysis shim in `plugins` (test/es-analysis-shim); file-realm users and roles
   * (roles.yml) work without it.
   */
  security?: {
    password: string;
    /** HTTPS with a CA and node certificate made by the distribution's own elasticsearch-certutil. */
    tls?: boolean;
    fileRoles?: Record<string, { cluster?: string[]; indices?: Array<{ names: string[]; privileges: string[] }> }>;
    fileUsers?: Array<{ username: string; password: string; roles: string[] }>;
  };
  /**
   * Plugin directories (each with its plugin-descriptor.properties) loaded by this node only: it then runs
   * from a home of its own whose bin, lib and modules link to the shared distribution.
   */
  plugins?: string[];
  /** Extra `-E` settings. */
  settings?: Record<string, string>;
  progress?: Progress;
  /** Milliseconds to wait for the node to answer; JVM start on a busy 2-core box can take a minute. */
  startTimeoutMs?: number;
}

export interface ManagedElasticsearch {
  url: string;
  version: string;
  pid: number;
  workDir: string;
  auth?: { username: string; password: string };
  /** With security.tls: the PEM file of the CA that signed the node's certificate. */
  caFile?: string;
  stop(): Promise<void>;
  /** Stop the process without deleting data (to simulate an outage, then start() again). */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

interface Ids {
  uid: number;
  gid: number;
}

function ensureUser(): Ids | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    try {
      return {
        uid: Number(execFileSync('id', ['-u', ES_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
        gid: Number(execFileSync('id', ['-g', ES_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
      };
    } catch {
      return undefined;
    }
  };
  const ids = lookup();
  if (ids) return ids;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ES_USER]);
  const created = lookup();
  if (!created) throw new Error(`could not create the system user ${ES_USER} to run Elasticsearch`);
  return created;
}

function chownTree(dir: string, ids: Ids | undefined): void {
  if (!ids) return;
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
}

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string, dead: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = dead();
    if (why) throw new Error(why);
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts a fresh node in its own work directory (config copy, data, logs). */
export async function startManagedElasticsearch(opts: ManagedOptions = {}): Promise<ManagedElasticsearch> {
  const version = opts.version ?? process.env.AUDITSIGHT_ES_VERSION ?? DEFAULT_ES_VERSION;
  const progress = opts.progress ?? (() => {});
  const home = unpack(version, progress);
  const javaHome = findJavaHome(version);
  const ids = ensureUser();

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `auditsight-es-${version}-`));
  fs.chmodSync(workDir, 0o755);
  const conf = path.join(workDir, 'config');
  fs.cpSync(path.join(home, 'config'), conf, { recursive: true });
  const data = path.join(workDir, 'data');
  const logs = path.join(workDir, 'logs');
  fs.mkdirSync(data);
  fs.mkdirSync(logs);
  // 7.x writes its GC log to a path relative to the distribution (logs/gc.log), which is a shared,
  // read-only cache here; point it into this node's own logs directory.
  const jvmOptions = path.join(conf, 'jvm.options');
  fs.writeFileSync(jvmOptions, fs.readFileSync(jvmOptions, 'utf8').replace(/file=logs\/gc\.log/g, `file=${logs}/gc.log`));
  const stdoutLog = path.join(workDir, 'stdout.log');

  const settings: Record<string, string> = {
    'cluster.name': 'auditsight-managed',
    'node.name': 'auditsight-0',
    'discovery.type': 'single-node',
    'network.host': '127.0.0.1',
    // Port 0 lets the OS choose a free one; the ports file tells us which (no race with other instances).
    'http.port': '0',
    'transport.port': '0',
    'node.portsfile': 'true',
    'path.data': data,
    'path.logs': logs,
    'xpack.security.enabled': opts.security ? 'true' : 'false',
    'xpack.ml.enabled': 'false',
    'action.destructive_requires_name': 'false',
    // A test box's disk may be fuller than a server's; do not flip indices to read-only at 90%.
    'cluster.routing.allocation.disk.threshold_enabled': 'false',
    'ingest.geoip.downloader.enabled': 'false',
    ...opts.settings,
  };
  if (opts.security) {
    settings['xpack.security.http.ssl.enabled'] = opts.security.tls ? 'true' : 'false';
    settings['xpack.security.transport.ssl.enabled'] = 'false';
  }
  // Settings unknown to the minimal distribution make it refuse to start; drop the plugin-specific ones.
  if (!fs.existsSync(path.join(home, 'modules', 'x-pack-ml'))) delete settings['xpack.ml.enabled'];
  if (!fs.existsSync(path.join(home, 'modules', 'ingest-geoip'))) delete settings['ingest.geoip.downloader.enabled'];

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ES_JAVA_HOME: javaHome,
    ES_PATH_CONF: conf,
    ES_JAVA_OPTS: `-Xms${opts.heap ?? '512m'} -Xmx${opts.heap ?? '512m'}`,
    JAVA_HOME: javaHome,
  };
  delete env.JAVA_TOOL_OPTIONS;

  if (opts.security) {
    // The bootstrap password lets us create the elastic user's password without the interactive tool.
    execFileSync(path.join(home, 'bin', 'elasticsearch-keystore'), ['create'], { env, stdio: 'ignore' });
    execFileSync(path.join(home, 'bin', 'elasticsearch-keystore'), ['add', '-x', '-f', 'bootstrap.password'], {
      env,
      input: opts.security.password,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    if (opts.security.fileRoles) {
      const roles = Object.entries(opts.security.fileRoles).map(([name, r]) => [name, { cluster: r.cluster ?? [], indices: r.indices ?? [] }]);
      fs.writeFileSync(path.join(conf, 'roles.yml'), YAML.stringify(Object.fromEntries(roles)));
    }
    if (opts.security.tls) {
      certificates(home, conf, env);
      settings['xpack.security.http.ssl.key'] = 'certs/node/node.key';
      settings['xpack.security.http.ssl.certificate'] = 'certs/node/node.crt';
    }
    for (const u of opts.security.fileUsers ?? []) {
      execFileSync(path.join(home, 'bin', 'elasticsearch-users'), ['useradd', u.username, '-p', u.password, '-r', u.roles.join(',')], { env, stdio: 'ignore' });
    }
  }
  // The shared distribution stays untouched (other nodes run from it); chown -R does not follow the links.
  let esHome = home;
  if (opts.plugins?.length) {
    esHome = path.join(workDir, 'home');
    fs.mkdirSync(path.join(esHome, 'plugins'), { recursive: true });
    for (const d of ['bin', 'lib', 'modules']) fs.symlinkSync(path.join(home, d), path.join(esHome, d));
    for (const p of opts.plugins) fs.cpSync(p, path.join(esHome, 'plugins', path.basename(p)), { recursive: true });
  }
  chownTree(workDir, ids);

  const out = fs.openSync(stdoutLog, 'a');
  progress(`starting Elasticsearch ${version} (Java ${path.basename(javaHome)})${ids ? ` as user ${ES_USER}` : ''}`);

  let child: ChildProcess;
  let exited: string | undefined;
  const launch = () => {
    exited = undefined;
    fs.rmSync(path.join(logs, 'http.ports'), { force: true });
    const args = Object.entries(settings).map(([k, v]) => `-E${k}=${v}`);
    child = spawn(path.join(esHome, 'bin', 'elasticsearch'), args, {
      env,
      cwd: workDir,
      stdio: ['ignore', out, out],
      uid: ids?.uid,
      gid: ids?.gid,
    });
    child.once('exit', (code, sig) => {
      exited = `Elasticsearch exited (code ${code}, signal ${sig}); last log lines:\n${tail(stdoutLog)}`;
    });
    liveChildren.add(child);
  };

  const ready = async (): Promise<string> => {
    const portsFile = path.join(logs, 'http.ports');
    const port = await waitFor(
      async () => (fs.existsSync(portsFile) ? fs.readFileSync(portsFile, 'utf8').trim().split('\n')[0] : undefined) || undefined,
      opts.startTimeoutMs ?? 120_000,
      'the HTTP ports file',
      () => exited,
    );
    const url = `${caFile ? 'https' : 'http'}://${port}`;
    const headers: Record<string, string> = {};
    if (opts.security) headers.authorization = `Basic ${Buffer.from(`elastic:${opts.security.password}`).toString('base64')}`;
    await waitFor(
      async () => ((await healthStatus(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, headers, caFile)) === 200 ? true : undefined),
      opts.startTimeoutMs ?? 120_000,
      `cluster health at ${url}`,
      () => exited,
    );
    return url;
  };

  const caFile = opts.security?.tls ? path.join(conf, 'certs', 'ca', 'ca.crt') : undefined;
  launch();
  const url = await ready();
  // Keep the port across pause()/resume(), so clients configured with the URL reconnect after an outage.
  settings['http.port'] = new URL(url).port;
  progress(`Elasticsearch ${version} is up at ${url}`);

  const kill = async () => {
    if (exited) return;
    const c = child;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
    liveChildren.delete(c);
  };

  const handle: ManagedElasticsearch = {
    url,
    version,
    get pid() {
      return child.pid ?? -1;
    },
    workDir,
    auth: opts.security ? { username: 'elastic', password: opts.security.password } : undefined,
    caFile,
    async stop() {
      await kill();
      fs.closeSync(out);
      if (!process.env.AUDITSIGHT_KEEP_ES_DIR) fs.rmSync(workDir, { recursive: true, force: true });
    },
    async pause() {
      await kill();
    },
    async resume() {
      launch();
      await ready();
    },
  };
  return handle;
}

/** A CA and a certificate for 127.0.0.1/localhost, made by the distribution's own tool into conf/certs. */
function certificates(home: string, conf: string, env: NodeJS.ProcessEnv): void {
  const certs = path.join(conf, 'certs');
  fs.mkdirSync(certs, { recursive: true });
  const certutil = path.join(home, 'bin', 'elasticsearch-certutil');
  execFileSync(certutil, ['ca', '--pem', '--silent', '--out', path.join(certs, 'ca.zip')], { env, stdio: 'ignore' });
  execFileSync('unzip', ['-q', path.join(certs, 'ca.zip'), '-d', certs]);
  execFileSync(
    certutil,
    ['cert', '--pem', '--silent', '--ca-cert', path.join(certs, 'ca', 'ca.crt'), '--ca-key', path.join(certs, 'ca', 'ca.key'), '--ip', '127.0.0.1', '--dns', 'localhost', '--name', 'node', '--out', path.join(certs, 'node.zip')],
    { env, stdio: 'ignore' },
  );
  execFileSync('unzip', ['-q', path.join(certs, 'node.zip'), '-d', certs]);
}

/** Status of a GET; https verifies against the CA, as every real client must. */
function healthStatus(url: string, headers: Record<string, string>, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { headers, ca: ca ? fs.readFileSync(ca) : undefined }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

// Children still alive when this process exits are killed, so no Elasticsearch is ever left behind.
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of liveChildren) c.kill('SIGKILL');
});
// Signals are the CLI's to handle (it stops the node cleanly); see shipper/src/cli.
