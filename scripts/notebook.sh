#!/usr/bin/env bash
# Open the quick-start notebook in JupyterLab, installing the jupyter extra first if needed.
#   bash scripts/notebook.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  bash scripts/setup.sh --no-demo
fi
if [ ! -x .venv/bin/jupyter-lab ]; then
  echo "installing JupyterLab (the jupyter extra)"
  .venv/bin/python -m pip install --quiet -e '.[jupyter]'
fi
exec .venv/bin/jupyter-lab notebooks/quickstart.ipynb
