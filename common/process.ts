// Is a pid alive? Used by the pid-file locks (the shipper's state directory, the live audit harness):
// EPERM means it exists but belongs to another user, which still makes the lock taken.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
