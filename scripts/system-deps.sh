#!/usr/bin/env bash
# Install the system packages BoardSnap needs on Debian/Ubuntu, or say which line to run.
# Tesseract (OCR engine and English data), WeasyPrint's Pango libraries, poppler-utils (pdftotext
# and pdftoppm, used by the tests) and the handwriting fonts the sample generator draws with.
set -euo pipefail
PKGS="tesseract-ocr tesseract-ocr-eng libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
 fonts-dejavu-core poppler-utils fonts-humor-sans fonts-comic-neue fonts-dkg-handwriting
 fonts-femkeklaver fonts-breip fonts-bwht chromium"
missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "boardsnap: not a Debian/Ubuntu system; install Tesseract 5 with English data, Pango and poppler-utils with your package manager" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "installing system packages: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "boardsnap: missing system packages; run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
