#!/usr/bin/env bash
# Creates the test environments (.venv/py311 = Forge-like, .venv/py310 = A1111-like,
# .venv/py313 = Forge Neo-like: Python 3.13 + gradio 4.40, unit and app tests only),
# installs Debian's chromium for the browser tests and, from package-lock.json, the npm
# packages they use (axe-core). Idempotent: a stamp file per venv records the requirements
# it was built from; node_modules is reinstalled only when the lock file changes.
set -euo pipefail
cd "$(dirname "$0")/.."

py310() {
  if command -v pyenv >/dev/null 2>&1 && [ -x "$(pyenv root)/versions/3.10.13/bin/python" ]; then
    echo "$(pyenv root)/versions/3.10.13/bin/python"
  else
    command -v python3.10
  fi
}
py311() {
  if command -v pyenv >/dev/null 2>&1 && [ -x "$(pyenv root)/versions/3.11.7/bin/python" ]; then
    echo "$(pyenv root)/versions/3.11.7/bin/python"
  else
    command -v python3.11
  fi
}

py313() {
  local found=""
  if command -v pyenv >/dev/null 2>&1; then
    found=$(ls -d "$(pyenv root)"/versions/3.13.* 2>/dev/null | sort -V | tail -1)
  fi
  if [ -n "$found" ] && [ -x "$found/bin/python" ]; then
    echo "$found/bin/python"
  else
    command -v python3.13
  fi
}

make_venv() {  # name python requirements
  local dir=".venv/$1" py="$2" req="$3"
  local stamp="$dir/.requirements.sha"
  local want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "== building $dir from $req"
  rm -rf "$dir"
  "$py" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --upgrade pip
  "$dir/bin/python" -m pip install -q -r "$req"
  echo "$want" >"$stamp"
}

install_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  echo "== installing Debian chromium"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
}

install_node_modules() {
  local stamp="node_modules/.package-lock.sha" want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "== npm ci (axe-core for the browser tests)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
}

case "${1:-all}" in
  py311) make_venv py311 "$(py311)" requirements/py311-forge.txt ;;
  py310) make_venv py310 "$(py310)" requirements/py310-a1111.txt ;;
  py313) make_venv py313 "$(py313)" requirements/py313-neo.txt ;;
  chromium) install_chromium ;;
  node) install_node_modules ;;
  all)
    install_chromium
    install_node_modules
    make_venv py311 "$(py311)" requirements/py311-forge.txt
    make_venv py310 "$(py310)" requirements/py310-a1111.txt
    make_venv py313 "$(py313)" requirements/py313-neo.txt
    ;;
esac
