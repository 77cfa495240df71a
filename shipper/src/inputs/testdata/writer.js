// Test writer process: appends numbered lines at full speed and rotates the file several times,
// the way auditd does (rename + new file) or logrotate's copytruncate does.
// argv: file total rotateEvery mode(rename|copytruncate) [pauseAfterRotationMs]
// The pause is for copytruncate: several copy+truncate cycles faster than the reader looks at the
// file cannot be ordered reliably by anyone (names shift while being listed); logrotate does one per
// run, hours apart. Lines are still written at full speed between rotations.
'use strict';
const fs = require('fs');
const [file, totalS, everyS, mode, pauseS] = process.argv.slice(2);
const pauseMs = Number(pauseS ?? 0);
const total = Number(totalS), every = Number(everyS);
const pad = 'x'.repeat(60);
function shift() {
  // audit.log.N -> N+1 ... audit.log.1 -> .2, oldest first so nothing is overwritten.
  const n = fs.readdirSync(require('path').dirname(file)).filter((f) => /\.\d+$/.test(f)).length;
  for (let i = n; i >= 1; i--) if (fs.existsSync(`${file}.${i}`)) fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
}
let fd = fs.openSync(file, 'a');
let i = 0;
let carry = '';
let nextRotation = every;
let rotations = 0;
while (i < total) {
  // 1..64 lines per write, and sometimes half a line: the tailer must only hand out complete lines.
  const k = Math.min(total - i, 1 + (i % 64));
  let s = carry;
  for (let j = 0; j < k; j++, i++) s += `type=TEST msg=audit(1700000000.000:${i}): n=${String(i).padStart(7, '0')} ${pad}\n`;
  const cut = i % 7 === 0 && i < total ? s.length - 20 : s.length;
  fs.writeSync(fd, s.slice(0, cut));
  carry = s.slice(cut);
  if (carry === '' && i >= nextRotation && i < total) {
    nextRotation += every;
    rotations++;
    shift();
    if (mode === 'rename') {
      fs.renameSync(file, `${file}.1`);
      fs.closeSync(fd);
      fd = fs.openSync(file, 'a');
    } else {
      fs.copyFileSync(file, `${file}.1`);
      fs.ftruncateSync(fd, 0);
    }
    if (pauseMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
  }
}
if (carry) fs.writeSync(fd, carry);
fs.closeSync(fd);
process.stdout.write(JSON.stringify({ lines: total, rotations }));
