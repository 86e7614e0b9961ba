#!/usr/bin/env bash
# Set up everything the manual needs on a Debian or Ubuntu machine:
#   system packages (Pango, HarfBuzz with its subsetting library, CJK fonts),
#   with --test also Chromium, LibreOffice Writer and Poppler for the tests,
#   then a virtual environment in .venv with the Python packages.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { [ -n "${MANUAL_SETUP_QUIET:-}" ] || echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# --- system packages ---------------------------------------------------------
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-noto-cjk fonts-wqy-microhei python3-venv)
if [ "$want_test" = 1 ]; then
  packages+=(chromium libreoffice-writer-nogui poppler-utils)
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    if [ "$p" = python3-venv ] && python3 -c 'import ensurepip, venv' 2>/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
      die "these system packages are missing and I cannot install them without root: ${missing[*]}
       ask an administrator to run: apt-get install --no-install-recommends ${missing[*]}"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null || die "apt-get update failed; is the package mirror reachable?"
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get could not install: ${missing[*]}"
  fi
else
  die "this is not a Debian or Ubuntu machine (no dpkg); install by hand: Pango, HarfBuzz with libharfbuzz-subset,
       a CJK font (Noto CJK SC), WenQuanYi Micro Hei, and for tests Chromium, LibreOffice Writer and Poppler"
fi

# --- Python ------------------------------------------------------------------
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or newer is needed ($(python3 --version 2>&1))"
if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment .venv"
  python3 -m venv .venv || die "python3 -m venv failed (install python3-venv)"
fi
extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.installed$extras"
fingerprint=$(sha256sum pyproject.toml | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
  say "installing Python packages$extras"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c 'import generator, weasyprint, docx, mkdocs' 2>/dev/null || die "the Python packages did not install; see the messages above"
  echo "$fingerprint" > "$stamp"
fi
