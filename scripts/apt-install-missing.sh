#!/usr/bin/env bash
# Installs the Debian packages named after WHO (a phrase for the message) when we are root, as in
# CI; otherwise prints the apt-get command and fails, so nothing goes on silently without them.
#   scripts/apt-install-missing.sh "The tests need" pkg...
set -euo pipefail
who=$1
shift
[ $# -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
else
    echo "$who these Debian packages: sudo apt-get install $*" >&2
    exit 1
fi
