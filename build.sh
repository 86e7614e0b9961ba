#!/usr/bin/env bash
# One command: set up, check and build the shipped manual (site/ and dist/).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/manual build "$@"
