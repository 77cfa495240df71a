#!/bin/sh
# /usr/local/bin/auditsight: the installed command (shipper/README.md, Install). Runs the bundled CLI
# (`npm run build` -> dist/auditsight.cjs, no TypeScript loader in a long-running shipper) from its own
# interpreter path, which shipper/rules/auditsight.rules excludes from auditing. AUDITSIGHT_HOME,
# AUDITSIGHT_NODE and AUDITSIGHT_NODE_FLAGS override the install directory, interpreter and V8 flags.
#
# Memory defaults, measured by `npm run bench:ship` and paced replays of its captures (2-core box):
#  - a 4 MB young generation trades CPU for memory: against 16 MB, exec-only capture paced at 1000 exec/s
#    (2026-11-26, evening), 27.4-27.6% of a core against 24.7-25.4%, RSS mean 135-138 MB against 165;
#    the wrapper keeps the smaller one for the 150 MB RSS goal (README, Measured performance);
#  - --heap-growing-percent=50 collects before the old generation grows to 1.5x what is live. Since input
#    batches are no longer promoted whole, that costs no measurable CPU: recommended-rules
#    capture at 2500 events/s, 31.7-35.2% of a core with it against 32.7-33.3% without, RSS mean 153 MB
#    (max 160-163) against 212-215 (max 251-264). 25 since 2026-11-27: exec-only capture paced at 1000
#    exec/s, two runs each, RSS max 125.8-125.9 MiB against 132.6-133.9 (mean 116-117 against 123-124),
#    for 131-134 µs of CPU per exec against 121-124 (about +8%, inside the CPU goal); 15 saved no more;
#  - MALLOC_ARENA_MAX=2: glibc otherwise gives each thread (V8's GC helpers, libuv's pool) its own malloc
#    arena: peak RSS 151 MB against 159-162, same CPU;
#  - MALLOC_MMAP_THRESHOLD_=131072: glibc otherwise raises its mmap threshold each time a large block is
#    freed, and then keeps buffers of up to 32 MB (queue reads, bulk bodies, arena chunks) in its heap,
#    where freed memory is rarely returned. Fixed at 128 KiB they are mapped and unmapped: exec-only
#    capture paced at 1000 exec/s (2026-11-27), RSS max 133.5-135.8 MiB in 4 runs against 140.5-141.6,
#    mean 123-126 against 129-130, same CPU (118-128 µs per exec against 121).
# None is a hard limit: a heap that has to grow still grows (no out-of-memory exit on a large host).
# AUDITSIGHT_NODE_FLAGS="" runs Node with its own heap defaults.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
AUDITSIGHT_HOME=${AUDITSIGHT_HOME:-/opt/auditsight}
exec "${AUDITSIGHT_NODE:-/usr/local/bin/auditsight-node}" ${AUDITSIGHT_NODE_FLAGS---max-semi-space-size=4 --heap-growing-percent=25} "$AUDITSIGHT_HOME/dist/auditsight.cjs" "$@"
