#!/usr/bin/env bash
# Debian packages makeSpellCheck reads at run time for the languages pyspellchecker's wheel does
# not cover: Hunspell dictionaries (read through libhunspell) and Finnish Voikko. Nothing is
# downloaded at run time, so they must be here before the workers start. Installs what is
# missing when we are root (as in CI); otherwise prints the apt-get command and fails, so a
# server or test run never goes on silently without them.
set -euo pipefail
# "file it installs:package" — checked by file, because dpkg -s misses a dictionary copied by hand
wanted=(
    /usr/share/hunspell/hr_HR.dic:hunspell-hr
    /usr/share/hunspell/cs_CZ.dic:hunspell-cs
    /usr/share/hunspell/da_DK.dic:hunspell-da
    /usr/share/hunspell/et_EE.dic:myspell-et
    /usr/share/hunspell/nb_NO.dic:hunspell-no
    /usr/share/hunspell/pl_PL.dic:hunspell-pl
    /usr/share/hunspell/sr_RS.dic:hunspell-sr
    /usr/share/hunspell/sk_SK.dic:hunspell-sk
    /usr/share/hunspell/sl_SI.dic:hunspell-sl
    /usr/share/hunspell/sv_SE.dic:hunspell-sv
    /usr/lib/voikko/5/mor-standard/mor.vfst:voikko-fi
)
missing=()
for entry in "${wanted[@]}"; do
    [ -e "${entry%%:*}" ] || missing+=("${entry##*:}")
done
# by path, not ldconfig: /sbin is not on every user's PATH
compgen -G '/usr/lib/*/libhunspell-1.7.so.0' >/dev/null || missing+=(libhunspell-1.7-0)
compgen -G '/usr/lib/*/libvoikko.so.1' >/dev/null || missing+=(libvoikko1)
exec "$(dirname "$0")/apt-install-missing.sh" "Spell check needs" "${missing[@]}"
