# Sourced by scripts/run and scripts/test: cd to the repository and make sure .venv is installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pick_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$candidate"
      return
    fi
  done
  echo "Liffy needs Python 3.11 or newer (python3.11 or python3 on PATH)." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv"
  "$(pick_python)" -m venv .venv
fi

stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "==> Installing requirements.txt"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$wanted" >"$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
