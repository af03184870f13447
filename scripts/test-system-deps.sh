#!/usr/bin/env bash
# System packages the test suite needs beyond PyPI: a CJK font to draw the Chinese and Japanese
# test pages (Debian fonts-wqy-zenhei). Installs it when missing and we are root (as in CI);
# otherwise says what to install and fails, so no test is skipped silently.
set -euo pipefail
font=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
noto=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
if [ -e "$font" ] || [ -e "$noto" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-zenhei
else
    echo "The tests need a CJK font: sudo apt-get install fonts-wqy-zenhei" >&2
    exit 1
fi
