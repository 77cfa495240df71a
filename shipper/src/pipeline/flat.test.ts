import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flat, flatConcat, interned } from '../../../common/flat';
import { corporaDir } from '../../../test/corpora';

const ROOT = path.resolve(__dirname, '../../..');

/** The pipeline over `file` in a child with V8's natives syntax (flat-check.testlib.ts). */
function check(file: string, idFiles: string[] = [], env: NodeJS.ProcessEnv = {}): { docs: number; strings: number; longNames: number; seededParentArgs: number; nonFlat: Array<{ path: string; text: string }> } {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--require', 'tsx/cjs', path.join(__dirname, 'flat-check.testlib.ts'), file, ...idFiles], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(out);
}

describe('documents of flat strings and fast-mode objects (JSON.stringify fast path, common/flat.ts, common/fast-object.ts)', () => {
  it('flat() and flatConcat() keep the text', () => {
    const line = 'type=CWD msg=audit(1.000:1): cwd="/home/bob/some/long/directory"';
    expect(flat(line.slice(line.indexOf('"') + 1, -1))).to.equal('/home/bob/some/long/directory');
    expect(flat(undefined)).to.equal(undefined);
    expect(flatConcat('2023-11-14T22:13:', '20.024Z')).to.equal('2023-11-14T22:13:20.024Z');
    expect(flatConcat('a', 'b')).to.equal('ab');
    expect(interned('type=X msg=audit(1.0:1): comm="sh"'.slice(25, 29))).to.equal('comm');
    expect(interned(undefined)).to.equal(undefined);
  });

  for (const [name, file] of [
    ['the insider scenario, captured from a real kernel', path.join(ROOT, 'e2e/scenario/insider.log')],
    ['Laurel\'s shell process trace (out-of-order records)', path.join(corporaDir, 'laurel/src/testdata/shell-proc-trace.txt')],
  ]) {
    it(`no string in any document is a V8 view or concatenation, no object a dictionary: ${name}`, function () {
      this.timeout(60_000);
      const r = check(file);
      expect(r.docs).to.be.greaterThan(10);
      expect(r.strings).to.be.greaterThan(r.docs * 10);
      expect(r.nonFlat, JSON.stringify(r.nonFlat.slice(0, 5))).to.deep.equal([]);
    });
  }

  it('user and group names longer than V8 copies (systemd-timesync) are flat too', function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-flat-'));
    try {
      const names = (ids: number[]) => ids.map((id) => `account-with-a-long-name-${id}:x:${id}:${id}::/:/bin/sh`).join('\n');
      const ids = [0, 1000, 1001, 1002, 65534];
      fs.writeFileSync(path.join(dir, 'passwd'), names(ids));
      fs.writeFileSync(path.join(dir, 'group'), names(ids));
      const r = check(path.join(ROOT, 'e2e/scenario/insider.log'), [path.join(dir, 'passwd'), path.join(dir, 'group')]);
      expect(r.nonFlat, JSON.stringify(r.nonFlat.slice(0, 5))).to.deep.equal([]);
      // The long names did reach the documents (user.name, user.audit.name, process.user.name, ...).
      expect(r.longNames).to.be.greaterThan(r.docs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('processes seeded from /proc (the live daemon\'s parents and leaders) are flat too', function () {
    this.timeout(60_000);
    const r = check(path.join(ROOT, 'e2e/scenario/insider.log'), [], { AUDITSIGHT_FLAT_SEED: '1' });
    expect(r.nonFlat, JSON.stringify(r.nonFlat.slice(0, 5))).to.deep.equal([]);
    // The exec after the seeding has its parent from /proc: this check's own interpreter and script.
    expect(r.seededParentArgs).to.be.greaterThan(0);
  });
});
