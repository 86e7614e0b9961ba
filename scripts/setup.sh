#!/usr/bin/env bash
# Set up everything the manual needs on a Debian or Ubuntu machine:
#   system packages (Pango, HarfBuzz with its subsetting library, CJK fonts),
#   with --test also Chromium, LibreOffice Writer and Poppler for the tests,
#   then a virtual environment in .venv with the Python packages, at the exact
#   versions of requirements.lock (the same on every machine, hence the same output bytes).
# Safe to run again: it installs only what is missing, and again when pyproject.toml or
# requirements.lock changes.
#
# scripts/setup.sh --lock [uv options] writes requirements.lock anew from pyproject.toml (every
# package of ".[test]", for CPython 3.11 on Linux), with uv from PyPI in a temporary environment.
# It keeps the versions already locked unless told otherwise: --upgrade-package NAME moves one
# package to its newest version within pyproject.toml's bounds, --upgrade moves them all.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { [ -n "${MANUAL_SETUP_QUIET:-}" ] || echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# --- the lock file -----------------------------------------------------------
LOCK_PYTHON=3.11.5  # the oldest Python the locked versions install on (pymdown-extensions 13.1 needs 3.11.5)
if [ "${1:-}" = "--lock" ]; then
  shift
  tools=$(mktemp -d)
  trap 'rm -rf "$tools"' EXIT
  python3 -m venv "$tools" || die "python3 -m venv failed (install python3-venv)"
  "$tools/bin/python" -m pip install -q --disable-pip-version-check "uv==0.13.9" || die "could not install uv from PyPI"
  "$tools/bin/uv" pip compile -q pyproject.toml --extra test --python-version "$LOCK_PYTHON" --python-platform linux \
    --custom-compile-command "bash scripts/setup.sh --lock [--upgrade-package NAME | --upgrade]" \
    -o requirements.lock "$@" || die "uv could not resolve the dependencies of pyproject.toml"
  say "wrote requirements.lock ($(grep -c '^[A-Za-z0-9]' requirements.lock) packages)"
  exit 0
fi

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# --- system packages ---------------------------------------------------------
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-noto-cjk fonts-wqy-microhei python3-venv)
if [ "$want_test" = 1 ]; then
  packages+=(chromium libreoffice-writer-nogui poppler-utils poppler-data)
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
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))' || die "Python $LOCK_PYTHON or newer is needed ($(python3 --version 2>&1))"
if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment .venv"
  python3 -m venv .venv || die "python3 -m venv failed (install python3-venv)"
fi
extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.installed$extras"
[ -f requirements.lock ] || die "requirements.lock is missing (bash scripts/setup.sh --lock writes it)"
fingerprint=$(sha256sum pyproject.toml requirements.lock | sha256sum | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$fingerprint" ]; then
  say "installing Python packages$extras (versions from requirements.lock)"
  # -c: the lock constrains every package that ".$extras" needs to its locked version and installs
  # nothing else, so the plain and the test set-ups share the same versions.
  status=0
  .venv/bin/python -m pip install -q --disable-pip-version-check -c requirements.lock -e ".$extras" \
    > .venv/.pip.log 2>&1 || status=$?
  grep -v "^WARNING: Location" .venv/.pip.log >&2 || true
  rm -f .venv/.pip.log
  [ "$status" = 0 ] || die "pip could not install the locked versions (exit $status); see the messages above"
  .venv/bin/python -c 'import generator, weasyprint, docx, mkdocs' 2>/dev/null || die "the Python packages did not install; see the messages above"
  echo "$fingerprint" > "$stamp"
fi
