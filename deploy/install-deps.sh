#!/usr/bin/env bash
# Installs the Debian 12 packages that the build, the demo and the tests need, and only
# those that are missing, so it is cheap to call before every make target. Run as root.
set -euo pipefail

pkgs=(gcc make cmake pkg-config clang libclang-rt-14-dev
      librdkafka-dev libcurl4-openssl-dev libyaml-dev libjansson-dev libssl-dev
      libcmocka-dev libevent-dev
      kcat curl openssl jq procps ca-certificates
      python3-yaml
      clang-format clang-tidy cppcheck)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js with npm (for the JSON Schema validator) and kubectl: keep what is already on the
# machine, from any vendor (mixing a vendor's nodejs with Debian's npm breaks apt); else
# Debian's (Node.js 18, kubectl 1.20).
if ! command -v npm >/dev/null 2>&1; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  missing+=(npm)
fi
if ! command -v kubectl >/dev/null 2>&1; then
  missing+=(kubernetes-client)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "error: missing packages: ${missing[*]}; run this script as root or install them" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The JSON Schema validator the tests use (ajv-cli, from npm), kept inside the repository
# checkout so that nothing global changes. Only when npm exists and it is not there yet.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${VELA_SKIP_NPM:-0}" != 1 ] && command -v npm >/dev/null 2>&1 &&
   [ -f "$here/tests/schema/package.json" ] &&
   [ ! -x "$here/tests/schema/node_modules/.bin/ajv" ]; then
  (cd "$here/tests/schema" && npm install --no-audit --no-fund --silent >/dev/null)
fi
