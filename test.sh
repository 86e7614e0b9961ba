#!/usr/bin/env bash
# One command: set up (with the test tools) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
