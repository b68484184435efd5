#!/usr/bin/env bash
# What the tests need beyond pip, on Debian or Ubuntu: Chromium, which the
# browser tests drive through Playwright (Playwright's own browser download
# is not used); LibreOffice Calc, which prints the written workbooks to PDF;
# poppler's pdftoppm, pdftotext, pdffonts and pdfinfo, which render and read
# PDF pages; DejaVu fonts, so every glyph has a font; a Thai font (Loma) and
# one for Chinese, Japanese and Korean (WenQuanYi Zen Hei), both TrueType, so
# the brief prints partners' names in those scripts (without them it warns,
# naming the script); Carlito, Calibri's metric twin, so LibreOffice prints
# the workbooks as wide as Excel does; capsh (libcap2-bin), with which the
# read-only folder tests drop root's power to write anywhere. Idempotent: installs only the
# packages missing, and runs apt-get update at most once. Needs root or sudo
# when something is missing.
set -euo pipefail

PACKAGES=(chromium libreoffice-calc poppler-utils fonts-dejavu-core
    fonts-tlwg-loma-ttf fonts-wqy-zenhei fonts-crosextra-carlito libcap2-bin)

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "install-test-deps: no apt-get here; install ${missing[*]} yourself." >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-test-deps: installing ${missing[*]}" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
