// Getting an Elasticsearch distribution onto this machine: the integ-test-zip from Maven Central (through
// mvn, which every developer and CI machine has), unpacked once into a cache outside the repository, and a
// JDK that the version needs. Kept apart from the process management in managed.ts so each can be tested.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEFAULT_ES_VERSION = '8.19.8';
const GROUP = 'org.elasticsearch.distribution.integ-test-zip';

export interface Progress {
  (message: string): void;
}

/** Root-owned caches under /root are unreadable for the unprivileged user that runs Elasticsearch. */
export function cacheRoot(): string {
  if (process.env.AUDITSIGHT_CACHE) return process.env.AUDITSIGHT_CACHE;
  return process.getuid?.() === 0 ? '/var/cache/auditsight' : path.join(os.homedir(), '.cache', 'auditsight');
}

function m2Repository(): string {
  return process.env.MAVEN_REPO_LOCAL ?? path.join(os.homedir(), '.m2', 'repository');
}

export function zipPath(version: string): string {
  return path.join(m2Repository(), ...GROUP.split('.'), 'elasticsearch', version, `elasticsearch-${version}.zip`);
}

/** Downloads the zip with `mvn dependency:get` unless the local Maven repository already has it. */
export function fetchZip(version: string, progress: Progress = () => {}): string {
  const zip = zipPath(version);
  if (fs.existsSync(zip)) return zip;
  progress(`downloading Elasticsearch ${version} (integ-test-zip, ~100 MB) from Maven Central with mvn`);
  const res = spawnSync(
    'mvn',
    ['-B', '-q', 'dependency:get', `-Dartifact=${GROUP}:elasticsearch:${version}:zip`, '-Dtransitive=false'],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (res.error) throw new Error(`cannot run mvn to fetch Elasticsearch ${version}: ${res.error.message} (install Maven)`);
  if (res.status !== 0 || !fs.existsSync(zip)) {
    const tail = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`mvn could not fetch ${GROUP}:elasticsearch:${version}:zip (exit ${res.status}):\n${tail}`);
  }
  return zip;
}

/** Unpacks into the cache once; a marker file makes a half-finished unpack visible and redone. */
export function unpack(version: string, progress: Progress = () => {}): string {
  const home = path.join(cacheRoot(), `elasticsearch-${version}`);
  const marker = path.join(home, '.auditsight-complete');
  if (fs.existsSync(marker)) return home;
  const zip = fetchZip(version, progress);
  progress(`unpacking ${path.basename(zip)} into ${cacheRoot()}`);
  fs.mkdirSync(cacheRoot(), { recursive: true, mode: 0o755 });
  const tmp = fs.mkdtempSync(path.join(cacheRoot(), '.unpack-'));
  execFileSync('unzip', ['-q', zip, '-d', tmp]);
  fs.rmSync(home, { recursive: true, force: true });
  fs.renameSync(path.join(tmp, `elasticsearch-${version}`), home);
  fs.rmSync(tmp, { recursive: true, force: true });
  // Readable by the unprivileged Elasticsearch user; the tree itself is never written to (config is copied).
  fs.chmodSync(cacheRoot(), 0o755);
  fs.writeFileSync(marker, new Date().toISOString());
  return home;
}

function javaMajor(javaHome: string): number | undefined {
  const release = path.join(javaHome, 'release');
  if (!fs.existsSync(release)) return undefined;
  const m = /JAVA_VERSION="(\d+)/.exec(fs.readFileSync(release, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

/** Elasticsearch 8.x runs on Java 17+, 9.x needs 21+. ES_JAVA_HOME wins when set. */
export function findJavaHome(esVersion: string): string {
  const needed = Number(esVersion.split('.')[0]) >= 9 ? 21 : 17;
  const fromEnv = process.env.ES_JAVA_HOME;
  if (fromEnv) {
    const major = javaMajor(fromEnv);
    if (major !== undefined && major < needed) {
      throw new Error(`ES_JAVA_HOME=${fromEnv} is Java ${major}; Elasticsearch ${esVersion} needs Java ${needed}+`);
    }
    return fromEnv;
  }
  const roots = ['/usr/lib/jvm', '/opt/java'];
  const candidates: Array<{ home: string; major: number }> = [];
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const name of fs.readdirSync(root)) {
      const home = path.join(root, name);
      const major = javaMajor(home);
      if (major !== undefined && fs.existsSync(path.join(home, 'bin', 'java'))) candidates.push({ home, major });
    }
  }
  // The lowest version that suffices: the one Elasticsearch was tested with most.
  candidates.sort((a, b) => a.major - b.major);
  const pick = candidates.find((c) => c.major >= needed);
  if (!pick) {
    const seen = candidates.map((c) => `${c.home} (${c.major})`).join(', ') || 'none';
    throw new Error(`no Java ${needed}+ found for Elasticsearch ${esVersion} (seen: ${seen}); set ES_JAVA_HOME`);
  }
  return pick.home;
}
