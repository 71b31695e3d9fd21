#!/usr/bin/env bash
# README command 1: run the standalone tab on a fresh copy of the demo embeddings.
# Creates .venv/app (gradio + Pillow + numpy, no torch) on first run. Extra arguments go
# to `python -m embedding_deck demo` (e.g. --port 7871).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv/app
stamp="$venv/.requirements.sha"
want=$(sha256sum requirements/app.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== creating $venv (first run only)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r requirements/app.txt
  echo "$want" >"$stamp"
fi
exec "$venv/bin/python" -m embedding_deck demo "$@"
