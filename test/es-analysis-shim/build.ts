// Builds the test-only analysis shim plugin (see src/auditsight/esshim/AnalysisShimPlugin.java for why it
// exists) for one Elasticsearch version: javac from that version's JDK against the distribution's own jars
// (no Gradle, no downloads), then a plugin directory cached under the cache root, keyed by the version and
// a hash of the source. Pass the returned directory to startManagedElasticsearch({ plugins: [...] }).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheRoot, DEFAULT_ES_VERSION, findJavaHome, unpack, type Progress } from '../../common/es/distribution';

const SOURCE = path.join(__dirname, 'src', 'auditsight', 'esshim', 'AnalysisShimPlugin.java');
export const SHIM_NAME = 'auditsight-analysis-shim';

/** The same default version as startManagedElasticsearch. Builds for 8.x and 9.x (7.x has other Lucene packages). */
export function analysisShimPlugin(version = process.env.AUDITSIGHT_ES_VERSION ?? DEFAULT_ES_VERSION, progress: Progress = () => {}): string {
  const home = unpack(version, progress);
  const source = fs.readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = path.join(cacheRoot(), `${SHIM_NAME}-${version}-${hash}`, SHIM_NAME);
  if (fs.existsSync(path.join(dir, 'plugin-descriptor.properties'))) return dir;

  const javaHome = findJavaHome(version);
  const javac = path.join(javaHome, 'bin', 'javac');
  if (!fs.existsSync(javac)) throw new Error(`${javaHome} has no javac (a JRE, not a JDK): install a JDK (openjdk-17-jdk-headless) to build the ${SHIM_NAME} test plugin`);
  // The plugin must declare the distribution's exact version and the Java release its own modules declare.
  const javaRelease = /^java\.version=(\S+)/m.exec(fs.readFileSync(path.join(home, 'modules', 'x-pack-security', 'plugin-descriptor.properties'), 'utf8'))?.[1];
  if (!javaRelease) throw new Error(`cannot read java.version from ${home}/modules/x-pack-security/plugin-descriptor.properties`);
  progress(`building the ${SHIM_NAME} test plugin for Elasticsearch ${version} (javac --release ${javaRelease})`);

  const tmp = fs.mkdtempSync(path.join(cacheRoot(), '.shim-'));
  try {
    const classes = path.join(tmp, 'classes');
    const plugin = path.join(tmp, SHIM_NAME);
    fs.mkdirSync(plugin);
    execFileSync(javac, ['--release', javaRelease, '-cp', path.join(home, 'lib', '*'), '-d', classes, SOURCE], { stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync(path.join(javaHome, 'bin', 'jar'), ['--create', '--file', path.join(plugin, `${SHIM_NAME}.jar`), '-C', classes, '.']);
    fs.writeFileSync(
      path.join(plugin, 'plugin-descriptor.properties'),
      [
        'description=TEST ONLY: pattern_capture, unique and uax_url_email for the .security index; the integ-test-zip lacks analysis-common',
        `version=${version}`,
        `name=${SHIM_NAME}`,
        'classname=auditsight.esshim.AnalysisShimPlugin',
        `java.version=${javaRelease}`,
        `elasticsearch.version=${version}`,
        '',
      ].join('\n'),
    );
    // Readable by the unprivileged user that runs Elasticsearch.
    execFileSync('chmod', ['-R', 'a+rX', plugin]);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.chmodSync(path.dirname(dir), 0o755);
    try {
      fs.renameSync(plugin, dir);
    } catch (err) {
      // Another process built the same source meanwhile: its result is as good.
      if (!fs.existsSync(path.join(dir, 'plugin-descriptor.properties'))) throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
