#!/usr/bin/env bash
# Installs the Node.js release auditsight is tested and measured on (the current LTS line) into DEST
# (default /opt/auditsight/node) and prints DEST/bin, for PATH or for /usr/local/bin/auditsight-node.
#
# Why: the shipper is a root daemon that parses attacker-shaped text, so it must run on a release line that
# still gets security fixes (Node 20, what many distributions still ship, ended on 2026-04-30), and Node 26
# is also ~16% cheaper per event for our pipeline (README, Measured performance). Debian's archive has no
# such release, so this takes the official binary from npm's own `node-linux-<arch>` package: a registry
# package, checked by npm's integrity hash, no other download. Idempotent: an existing DEST of the same
# version is kept.
#
# Usage: scripts/install-node.sh [DEST]      NODE_VERSION overrides the pinned version.
set -euo pipefail
version=${NODE_VERSION:-26.12.1}
dest=${1:-/opt/auditsight/node}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "install-node: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$version" ]; then
  echo "$dest/bin"
  exit 0
fi
command -v npm >/dev/null || { echo "install-node: npm is needed to fetch node-linux-$arch@$version" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
mkdir -p "$tmp/x"
tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp/x"
# The package holds bin/node plus headers and docs; the binary is all that runs.
"$tmp/x/package/bin/node" --version >/dev/null
mkdir -p "$dest/bin"
install -m 0755 "$tmp/x/package/bin/node" "$dest/bin/node.new"
mv -f "$dest/bin/node.new" "$dest/bin/node"
echo "install-node: $("$dest/bin/node" --version) in $dest/bin" >&2
echo "$dest/bin"
