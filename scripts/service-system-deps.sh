#!/usr/bin/env bash
# System packages the service itself runs beyond PyPI: ddjvu (Debian djvulibre-bin) decodes
# DjVu2PDF pages one at a time; espeak-ng speaks ConvertTextToSpeech; free metric-compatible
# fonts (Liberation, URW base35, Carlito/Caladea, DejaVu) are IdentifyFont's references.
# Installs what is missing when we are root; otherwise says what to install and fails.
set -euo pipefail
missing=()
command -v ddjvu >/dev/null || missing+=(djvulibre-bin)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
[ -e /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] || missing+=(fonts-liberation)
[ -d /usr/share/fonts/opentype/urw-base35 ] || missing+=(fonts-urw-base35)
[ -e /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf ] || missing+=(fonts-crosextra-carlito)
[ -e /usr/share/fonts/truetype/crosextra/Caladea-Regular.ttf ] || missing+=(fonts-crosextra-caladea)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
exec "$(dirname "$0")/apt-install-missing.sh" "The service needs" "${missing[@]}"
