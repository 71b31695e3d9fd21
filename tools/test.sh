#!/usr/bin/env bash
# The README's test command: builds what is missing, lints, then runs every test tier on
# Python 3.11 + gradio 4.40 (Forge-like) and Python 3.10 + gradio 3.41.2 (A1111-like), and
# the unit and app tests on Python 3.13 + gradio 4.40 (Forge Neo-like).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup_env.sh all

echo "== lint (ruff)"
.venv/py311/bin/ruff check .
.venv/py311/bin/ruff format --check .

if [ -d tests/js ]; then
  echo "== JavaScript (node --test)"
  node --test tests/js/
fi

for env in py311 py310; do
  echo "== pytest on $env ($(.venv/$env/bin/python -c 'import sys, gradio; print(sys.version.split()[0], "gradio", gradio.__version__)'))"
  .venv/$env/bin/python -m pytest -q -p no:cacheprovider "$@"
done
# Forge Neo runs gradio 4.40 on Python 3.13: the unit and app tests there too (no browser).
if [ "$#" -eq 0 ]; then
  echo "== pytest on py313 ($(.venv/py313/bin/python -c 'import sys, gradio; print(sys.version.split()[0], "gradio", gradio.__version__)'), unit and app tests)"
  .venv/py313/bin/python -m pytest -q -p no:cacheprovider tests/unit tests/app
fi
echo "== all tests passed"
