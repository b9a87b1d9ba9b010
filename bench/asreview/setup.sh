#!/usr/bin/env bash
# Creates bench/.venv-asreview, the benchmark-only virtualenv that holds ASReview LAB and
# buscarpy. ASReview is a heavy dependency: it must never be a runtime or dev dependency of
# Realist, so it lives here, apart from .venv, and bench/screening.py calls it as a subprocess.
# Idempotent: when the venv already holds the pinned versions it says so and does nothing.
set -euo pipefail

ASREVIEW_VERSION="3.0.8"
BUSCARPY_VERSION="0.0.2"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/.." && pwd)/.venv-asreview"
py="$venv/bin/python"
python="${PYTHON:-python3}"

installed_version() {  # prints the installed version of $1 in the venv, or nothing
    "$py" - "$1" <<'PY' 2>/dev/null || true
import sys
from importlib.metadata import PackageNotFoundError, version
try:
    print(version(sys.argv[1]))
except PackageNotFoundError:
    pass
PY
}

if [[ -x "$py" ]]; then
    have_asreview="$(installed_version asreview)"
    have_buscarpy="$(installed_version buscarpy)"
    if [[ "$have_asreview" == "$ASREVIEW_VERSION" && "$have_buscarpy" == "$BUSCARPY_VERSION" ]]; then
        echo "setup.sh: $venv already has asreview $have_asreview and buscarpy $have_buscarpy; nothing to do"
        exit 0
    fi
    echo "setup.sh: $venv has asreview '${have_asreview:-none}' and buscarpy '${have_buscarpy:-none}'; installing the pinned versions"
else
    echo "setup.sh: creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

echo "setup.sh: upgrading pip in $venv"
"$py" -m pip install --quiet --upgrade pip
echo "setup.sh: installing asreview==$ASREVIEW_VERSION buscarpy==$BUSCARPY_VERSION"
"$py" -m pip install "asreview==$ASREVIEW_VERSION" "buscarpy==$BUSCARPY_VERSION"
echo "setup.sh: installed: asreview $(installed_version asreview), buscarpy $(installed_version buscarpy)," \
     "scikit-learn $(installed_version scikit-learn), numpy $(installed_version numpy)"
