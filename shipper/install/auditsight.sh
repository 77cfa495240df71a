#!/bin/sh
# /usr/local/bin/auditsight: the installed command (shipper/README.md, Install). Runs the bundled CLI
# (`npm run build` -> dist/auditsight.cjs, no TypeScript loader in a long-running shipper) from its own
# interpreter path, which shipper/rules/auditsight.rules excludes from auditing. AUDITSIGHT_HOME,
# AUDITSIGHT_NODE and AUDITSIGHT_NODE_FLAGS override the install directory, interpreter and V8 flags.
#
# V8 heap flags, measured by `npm run bench:ship` (live part, 1000 exec/s under the recommended rules, 2-core
# box): a 4 MB young generation costs little CPU (130-145 us per event, RSS mean 204-213 MB, max 243-247 MB;
# without flags 123 us, 239/283 MB). Where memory matters more than CPU,
# AUDITSIGHT_NODE_FLAGS="--max-semi-space-size=4 --heap-growing-percent=50" collects before the heap grows
# to 1.5x what is live: RSS mean 160 MB, max 186 MB, but 176 us per event.
# Neither is a hard limit: a heap that has to grow still grows (no out-of-memory exit on a large host).
AUDITSIGHT_HOME=${AUDITSIGHT_HOME:-/opt/auditsight}
exec "${AUDITSIGHT_NODE:-/usr/local/bin/auditsight-node}" ${AUDITSIGHT_NODE_FLAGS---max-semi-space-size=4} "$AUDITSIGHT_HOME/dist/auditsight.cjs" "$@"
