#!/usr/bin/env bash
# Open the quick-start notebook in JupyterLab, installing the notebooks extra first if needed.
#   bash scripts/notebook.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  bash scripts/setup.sh --no-demo
fi
if [ ! -x .venv/bin/jupyter-lab ]; then
  echo "installing JupyterLab (the notebooks extra)"
  .venv/bin/python -m pip install --quiet -e '.[notebooks]'
fi
exec .venv/bin/jupyter-lab notebooks/quickstart.ipynb
