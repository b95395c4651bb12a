#!/usr/bin/env bash
# Sets up a fresh clone on a machine that has only Node 20 and npm:
# installs pnpm 10.34.9 if it is missing, installs the workspace from the lockfile, builds every package.
set -euo pipefail
cd "$(dirname "$0")/../.."

want=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pnpm@$want"
  if ! npm install -g "pnpm@$want" >/dev/null 2>&1; then
    # No write access to npm's global prefix: install into the repo and use it from there.
    npm install --prefix .tooling "pnpm@$want" >/dev/null
    export PATH="$PWD/.tooling/node_modules/.bin:$PATH"
  fi
fi

export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
pnpm install --frozen-lockfile
pnpm build --continue
