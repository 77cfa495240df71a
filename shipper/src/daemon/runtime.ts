// Whether the Node.js release line the shipper runs on still gets security fixes. The shipper is a root
// daemon that parses attacker-shaped text; running it on a line past its end of life should be said loudly
// at start, not found out later. Dates: the Node.js release schedule (github.com/nodejs/Release,
// schedule.json), published years ahead. A major not listed here is newer than this table: not flagged.

/** End of life of each release line (the last day it gets fixes). */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  16: '2023-09-11',
  17: '2022-06-01',
  18: '2025-04-30',
  19: '2023-06-01',
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

/** The oldest line in the table: anything older is past its end of life too. */
const OLDEST_LISTED = Math.min(...Object.keys(NODE_END_OF_LIFE).map(Number));

/**
 * A warning for the log when `version` (process.version, e.g. "v20.20.2") is past its end of life on
 * `today`, else undefined.
 */
export function runtimeWarning(version: string, today: Date): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major)) return undefined;
  const end = NODE_END_OF_LIFE[major];
  const day = today.toISOString().slice(0, 10);
  if (end === undefined && major > OLDEST_LISTED) return undefined;
  if (end !== undefined && day <= end) return undefined;
  return (
    `Node.js ${version} is past its end of life${end ? ` (${end})` : ''}: it no longer gets security fixes. ` +
    'Install a supported LTS as the shipper\'s interpreter (/usr/local/bin/auditsight-node; shipper/README.md, Install)'
  );
}
