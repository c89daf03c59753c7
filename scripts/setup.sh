#!/usr/bin/env bash
# Set up crowdsim from a fresh clone and run a demo evacuation.
#   bash scripts/setup.sh            # install into .venv, then run the demo
#   bash scripts/setup.sh --no-demo  # install only
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# dev: the test tools and every extra the tests exercise.
.venv/bin/python -m pip install --quiet -e '.[dev]'
if [ "${1:-}" != "--no-demo" ]; then
  echo "crowdsim is installed in .venv; running the demo evacuation:"
  .venv/bin/crowdsim run experiments/scenarios/concert_hall.toml
fi
