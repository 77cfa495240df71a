// `auditsight ship --replay`: a progress line on stderr (bytes read, events/s) and the final summary.
import type { ReplayProgress } from '../inputs/replay';
import type { RunSummary } from './daemon';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export class ProgressBar {
  private last: ReplayProgress | undefined;
  private lastDraw = 0;
  private lastEvents = 0;
  private lastTime = Date.now();
  private rate = 0;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    /** Events so far (the pipeline's count): progress is reported by the input, events by the pipeline. */
    private readonly events: () => number = () => 0,
    private readonly queued: () => number = () => 0,
  ) {}

  update(p: ReplayProgress): void {
    this.last = p;
    this.draw(false);
  }

  /** Redraw (also while only the outputs are still working: the input is done, shipping is not). */
  draw(force: boolean): void {
    const now = Date.now();
    // A terminal gets a live line; a log file gets a line every 5 s, not a flood of carriage returns.
    const every = this.out.isTTY ? 200 : 5000;
    if (!force && now - this.lastDraw < every) return;
    this.lastDraw = now;
    const ev = this.events();
    if (now > this.lastTime) {
      const inst = ((ev - this.lastEvents) * 1000) / (now - this.lastTime);
      this.rate = this.rate === 0 ? inst : this.rate * 0.7 + inst * 0.3;
    }
    this.lastEvents = ev;
    this.lastTime = now;
    const p = this.last;
    const frac = p && p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`;
    const file = p ? ` file ${p.fileIndex + 1}/${p.files}` : '';
    const text = `${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${p ? `${mb(p.bytesRead)}/${mb(p.totalBytes)}` : ''}${file}  ${int(ev)} events  ${int(this.rate)} ev/s  queued ${int(this.queued())}  ${((now - this.started) / 1000).toFixed(0)} s`;
    this.out.write(this.out.isTTY ? `\r${text}\x1b[K` : `${text}\n`);
  }

  done(): void {
    this.draw(true);
    if (this.out.isTTY) this.out.write('\n');
  }
}

export function formatSummary(s: RunSummary): string {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const per = (r: Record<string, number>) => (Object.keys(r).length > 1 ? ` (${Object.entries(r).map(([k, v]) => `${k} ${int(v)}`).join(', ')})` : '');
  const lines = [
    `lines          ${int(s.lines)}`,
    `events         ${int(s.events)}`,
    `parse errors   ${int(s.parseErrors)}`,
    `gaps           ${int(s.gaps)} (${int(s.lost)} events lost)`,
    `shipped        ${int(sum(s.shipped))}${per(s.shipped)}`,
    `dead-lettered  ${int(sum(s.deadLettered))}${per(s.deadLettered)}`,
    `duration       ${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  if (s.queued > 0) lines.push(`NOT SHIPPED    ${int(s.queued)} events were still queued when the replay stopped; run it again (ids make re-runs idempotent)`);
  if (s.failure) lines.push(`FAILED         ${s.failure}`);
  return lines.join('\n');
}
