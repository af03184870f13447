#!/usr/bin/env bash
# System packages the test suite needs beyond PyPI: fonts to draw test pages: DejaVu for the
# generated degraded pages, a CJK font for the Chinese and Japanese ones (Debian fonts-dejavu-*,
# fonts-wqy-zenhei); redis-server for the distributed mode's store and broker (tests start their
# own on 127.0.0.1); chromium and chromium-driver for the web playground and /docs, driven
# headless through Selenium (tests/integration/test_playground_browser.py). Installs what is
# missing when we are root (as in CI); otherwise says what to install and fails, so no test is
# skipped silently.
set -euo pipefail
"$(dirname "$0")/spellcheck-dictionaries.sh"
"$(dirname "$0")/service-system-deps.sh"
"$(dirname "$0")/bench-system-deps.sh"  # the speed benchmark's --quick run is tested
missing=()
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf ] || missing+=(fonts-dejavu-extra)
if [ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] \
    && [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
    missing+=(fonts-wqy-zenhei)
fi
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
exec "$(dirname "$0")/apt-install-missing.sh" "The tests need" "${missing[@]}"
