#!/bin/sh
# Runs Bun at the version this project is pinned to, installing it (from the npm registry) and the
# project's dependencies (frozen to bun.lock) first when they are missing. This is what lets
# `npm test` and `npm run demo` work on a fresh machine that has only Node and npm.
set -eu
BUN_VERSION=1.4.5
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
bun="$tools/node_modules/.bin/bun"

if [ ! -x "$bun" ] || [ "$("$bun" --version 2>/dev/null)" != "$BUN_VERSION" ]; then
  echo "with-bun: installing bun@$BUN_VERSION into .tools/ (npm registry)" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "bun@$BUN_VERSION" >&2
fi

# Installed again when bun.lock or a patch of a dependency changed (bun install applies patches/).
stamp="$root/node_modules/.bun-lock-stamp"
wanted=$(cat "$root/bun.lock" "$root"/patches/* 2>/dev/null | cksum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  (cd "$root" && "$bun" install --frozen-lockfile >&2)
  echo "$wanted" > "$stamp"
fi

cd "$root"
exec "$bun" "$@"
