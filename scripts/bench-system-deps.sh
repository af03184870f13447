#!/usr/bin/env bash
# System packages the speed benchmark's peer needs beyond PyPI: the `tesseract` command (Debian
# tesseract-ocr), run once per image as pytesseract-style servers do (`make bench`).
# Installs what is missing when we are root; otherwise says what to install and fails.
set -euo pipefail
missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
exec "$(dirname "$0")/apt-install-missing.sh" "The speed benchmark needs" "${missing[@]}"
