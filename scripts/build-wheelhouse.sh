#!/usr/bin/env bash
# Build a folder of wheels from which planner installs on a machine with no
# network (an air-gapped planning cell): planner itself and every dependency,
# for this machine's Python version and platform. Copy the folder across,
# then there: python3 -m venv /opt/planner && /opt/planner/bin/pip install \
#   --no-index --find-links WHEELHOUSE planner   (add "planner[ray]" for Ray)
#
#   scripts/build-wheelhouse.sh [WHEELHOUSE] [EXTRAS]
#   scripts/build-wheelhouse.sh wheelhouse ray
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-wheelhouse}")"
extras="${2:-}"
target="$here"
[ -n "$extras" ] && target="$here[$extras]"
python="${PYTHON:-python3}"
mkdir -p "$out"
"$python" -m pip wheel --wheel-dir "$out" "$target"
# pip and setuptools too: the offline machine's venv may need them to install
"$python" -m pip download --dest "$out" pip setuptools wheel
( cd "$out" && sha256sum -- * > SHA256SUMS )
echo "$(ls "$out" | grep -c '\.whl$') wheels in $out (checksums in SHA256SUMS)"
echo "On the offline machine: python3 -m venv /opt/planner &&"
echo "  /opt/planner/bin/pip install --no-index --find-links $out planner${extras:+[$extras]}"
