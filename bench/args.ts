// Command-line options and output helpers shared by the bench scripts (bench:latency, bench:ship).

/** The value after `--name` (or in `--name=value`, for values that start with `--`), or undefined when absent. */
export function strArg(name: string): string | undefined {
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq !== undefined) return eq.slice(name.length + 3);
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} expects a value`);
  return v;
}

export function numArg(name: string, def: number, min: number): number {
  const s = strArg(name);
  if (s === undefined) return def;
  const v = Number(s);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} expects a number >= ${min}, got ${JSON.stringify(s)}`);
  return v;
}

/** The value after each `--name` of a repeatable option ('' when it is the last argument). */
export function repeatedArg(name: string): string[] {
  return process.argv.flatMap((a, i) => (a === `--${name}` ? [process.argv[i + 1] ?? ''] : []));
}

/** Every `--set key=value` (shipper config keys for a tuned run, printed as such). */
export function setArgs(): Array<[string, string]> {
  return repeatedArg('set').map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects key=value, got ${JSON.stringify(kv)}`);
    return [kv.slice(0, eq).trim(), kv.slice(eq + 1)];
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
export const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${m}`);
