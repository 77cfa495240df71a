import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { removeNamespace } from '../../../../elastic-templates/src/fixtures';
import { sharedElasticsearch, uniqueName } from '../../../../test/elasticsearch';

const BIN = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'auditsight.js');

// The main job as a user starts it (the real CLI in a child process), in replay mode so it needs neither
// root nor auditd: the bundled capture of the insider scenario must raise the story's three alerts,
// print them, and stop cleanly on Ctrl-C.
describe('auditsight up (replay of the bundled capture) @integration', function () {
  this.timeout(180_000);

  it('prints where to look and the three story alerts, and stops cleanly on SIGINT', async () => {
    const es = await sharedElasticsearch();
    const namespace = uniqueName('up').replace(/[^a-z0-9_]/g, '_');
    const child = spawn(process.execPath, [BIN, 'up', '--mode', 'replay', '--namespace', namespace, '--console-port', '0', '--es-url', es.conn.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ELASTICSEARCH_URL: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 120_000;
      const wanted = ['Netcat bind shell listener', 'New executable in a system binary directory', 'Shell history file deleted'];
      while (!wanted.every((w) => out.includes(w)) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
      expect(err).to.match(/console\s+http:\/\/127\.0\.0\.1:\d+\//);
      expect(err).to.contain('replay: ');
      for (const w of wanted) expect(out, `stdout:\n${out}\nstderr:\n${err.slice(-2000)}`).to.contain(`ALERT [`).and.to.contain(w);
      expect(out).to.contain('/usr/bin/nc.traditional -l -p 4444 -e /bin/sh');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).to.equal(0);
    expect(err).to.match(/shipped \d+ events/);
    await removeNamespace(es.client, namespace);
  });
});
