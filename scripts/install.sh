#!/usr/bin/env bash
# Installs what whiskpool needs on a Debian machine and is missing: nats-server and gearmand
# from Debian, and the npm packages. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v nats-server >/dev/null 2>&1 || packages+=(nats-server)
command -v gearmand >/dev/null 2>&1 || packages+=(gearman-job-server)
if [ "${WHISKPOOL_WITH_MARIADB:-0}" = 1 ] && ! command -v mariadbd >/dev/null 2>&1; then
  packages+=(mariadb-server)
fi

if [ "${#packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "whiskpool: needs the Debian packages ${packages[*]}; run this as root to install them" >&2
    exit 1
  fi
  echo "whiskpool: installing ${packages[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "whiskpool: installing npm packages" >&2
  npm ci --no-audit --no-fund >&2
fi
