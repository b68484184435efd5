#!/usr/bin/env bash
# Makes docs/loop.png, the README's picture of the committed-plan loop: the
# browser journey that commits the sample's plan, re-plans a changed
# workbook against it and reads the changes (tests/serve/test_browser_programme.py)
# takes it at 1366x900; this keeps its top, in 64 colours, so the file stays
# small. Run from a checkout with the test extras installed
# (pip install -e ".[test]", scripts/install-test-deps.sh), the venv active.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pytest -q -p no:cacheprovider \
    tests/serve/test_browser_programme.py -k commits_replans
python - <<'EOF'
from PIL import Image

shot = Image.open("test-artifacts/screenshots/loop.png").convert("RGB")
shot.quantize(colors=64, dither=Image.Dither.NONE).save("docs/loop.png", optimize=True)
EOF
echo "readme-screenshot: docs/loop.png written" >&2
