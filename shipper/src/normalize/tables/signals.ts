// Signal number -> name for SECCOMP `sig=` (go-libaudit uses unix.SignalName). Built once from Node's
// os.constants.signals; where two names share a number the first listed (the POSIX one, e.g. SIGABRT
// before SIGIOT) wins, which is also what Go reports.
import { constants } from 'node:os';

const NAMES: ReadonlyArray<string | undefined> = (() => {
  const arr: Array<string | undefined> = [];
  for (const [name, n] of Object.entries(constants.signals)) if (arr[n] === undefined) arr[n] = name;
  return arr;
})();

export function signalName(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 ? NAMES[n] : undefined;
}
