import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../test/corpora';
import { buildCli } from './build-cli';

// The production install runs dist/auditsight.cjs through shipper/install/auditsight.sh; everything else
// runs the sources through tsx. The two must behave the same.
describe('the bundled CLI (npm run build)', function () {
  this.timeout(60_000);
  // Inside the repo, like dist/: the bundle requires the packages from the install's node_modules.
  fs.mkdirSync(path.join(repoRoot, '.cache'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(repoRoot, '.cache', 'build-cli-test-'));
  const bundle = path.join(dir, 'auditsight.cjs');
  const capture = path.join(repoRoot, 'shipper', 'src', 'enrich', 'testdata', 'root-ssh-login.log');
  before(async () => {
    await buildCli(bundle);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the same events as the sources for a real capture', () => {
    const run = (entry: string) => execFileSync(process.execPath, [entry, 'parse', '--host-from-node', capture], { cwd: repoRoot, maxBuffer: 1 << 28, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const fromBundle = run(bundle);
    expect(fromBundle.split('\n').filter(Boolean).length).to.be.greaterThan(500);
    expect(fromBundle).to.equal(run(path.join(repoRoot, 'bin', 'auditsight.js')));
  });

  it('finds the files its sources locate relative to themselves, and runs no script entry of a module', () => {
    // `up --help` loads every command; the console's build script must not start (it printed "built ...").
    const help = spawnSync(process.execPath, [bundle, 'detect', '--help'], { encoding: 'utf8' });
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.not.match(/^built /m);
    // detect's default rules directory is resolved from the source file's own directory.
    const rulesDir = /--rules <dir>\s+rules directory \(default: "([^"]+)"\)/.exec(help.stdout.replace(/\s+/g, ' '))?.[1];
    expect(rulesDir).to.equal(path.join(repoRoot, 'detections', 'rules'));
    expect(fs.existsSync(rulesDir!)).to.equal(true);
  });

  it('runs through the installed wrapper with its V8 flags', () => {
    const wrapper = path.join(repoRoot, 'shipper', 'install', 'auditsight.sh');
    // The wrapper wants dist/auditsight.cjs under AUDITSIGHT_HOME: point it at a home whose dist is ours.
    const home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, 'dist'), { recursive: true });
    fs.symlinkSync(bundle, path.join(home, 'dist', 'auditsight.cjs'));
    const r = spawnSync(wrapper, ['--version'], { env: { ...process.env, AUDITSIGHT_HOME: home, AUDITSIGHT_NODE: process.execPath }, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    const bad = spawnSync(wrapper, ['--version'], { env: { ...process.env, AUDITSIGHT_HOME: home, AUDITSIGHT_NODE: process.execPath, AUDITSIGHT_NODE_FLAGS: '--no-such-v8-flag-x' }, encoding: 'utf8' });
    expect(bad.status, 'the flags reach node').to.not.equal(0);
  });

  it('does not load ECS for the shipper: only setup builds templates from it', () => {
    // Every command's module is loaded by the CLI; the ECS definitions (@elastic/ecs, ~2 MB of heap) must
    // stay out of a long-running shipper's heap.
    const hook = path.join(dir, 'ecs-hook.js');
    fs.writeFileSync(hook, "process.on('exit', () => process.stderr.write(`ECS modules: ${Object.keys(require.cache).filter((k) => k.includes('/node_modules/@elastic/ecs/')).length}\\n`));\n");
    const ecsLoaded = (args: string[]) => {
      const r = spawnSync(process.execPath, ['-r', hook, ...args], { cwd: repoRoot, encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      return Number(/ECS modules: (\d+)/.exec(r.stderr)?.[1]);
    };
    expect(ecsLoaded(['-e', "require('@elastic/ecs')"]), 'the hook sees a load').to.be.greaterThan(0);
    expect(ecsLoaded([bundle, 'ship', '--help'])).to.equal(0);
    expect(ecsLoaded([bundle, 'setup', '--help'])).to.equal(0);
  });
});
