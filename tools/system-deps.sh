#!/usr/bin/env bash
# System tools the test suite drives for real, installed from Debian's packages:
#   promtool  (Prometheus's rule checker; the binary is taken out of the `prometheus` package so
#              no Prometheus server gets installed or started)  -> .venv/tools/bin/promtool
#   chromium  (headless browser for the HTML report check)      -> /usr/bin/chromium
#   postgresql, redis-server (the distributed profile's servers; tests/integration/
#              test_distributed.py starts its own instances on loopback, never the system
#              services, which are not started here either)   -> /usr/lib/postgresql/*/bin, redis-server
# Idempotent and quick when everything is present. Needs root (or sudo) only to install.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=.venv/tools
mkdir -p "$TOOLS/bin"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "system-deps: need root or sudo to run: $*" >&2; return 1; fi
}

apt_refreshed=0
apt_refresh() {
  if [ "$apt_refreshed" = 0 ]; then as_root apt-get update -qq; apt_refreshed=1; fi
}

if [ ! -x "$TOOLS/bin/promtool" ]; then
  tmp=$(mktemp -d)
  ( cd "$tmp" && (apt-get download prometheus >/dev/null 2>&1 || { apt_refresh; apt-get download prometheus >/dev/null; }) )
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
  install -m 0755 "$tmp/root/usr/bin/promtool" "$TOOLS/bin/promtool"
  rm -rf "$tmp"
fi

if ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || {
    apt_refresh; as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
fi

# PostgreSQL and Redis for the distributed profile's test. Installing the packages does not start
# their services here (policy-rc.d denies it in containers; elsewhere stop them if you do not want
# them). The tests run their own servers.
missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt_refresh; as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
echo "system-deps: $(redis-server --version | cut -d' ' -f1-3); $(ls -d /usr/lib/postgresql/*/bin | tail -1)"

echo "system-deps: $("$TOOLS/bin/promtool" --version 2>&1 | head -1); $(chromium --version 2>/dev/null)"
