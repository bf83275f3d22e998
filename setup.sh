#!/usr/bin/env bash
# Set up nianbao on a fresh Debian machine, then run a job:
#   ./setup.sh demo   — crawl the bundled sample portal offline and show the reports found
#   ./setup.sh test   — run the test suite (and the linter)
#   ./setup.sh        — set up only
# Installs Debian's chromium (for scrapy-playwright) and antiword (.doc attachments) when missing,
# LibreOffice too with NIANBAO_LIBREOFFICE=1, and the project in ./.venv.
set -euo pipefail
cd "$(dirname "$0")"

job="${1:-none}"
[ $# -gt 0 ] && shift

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing; install Debian's chromium for JavaScript-rendered pages" >&2
  fi
fi

# antiword reads Word 97 .doc/.wps attachments (tiny). LibreOffice reads the DOC tables antiword
# cannot lay out, and RTF; it is large, so it is installed only with NIANBAO_LIBREOFFICE=1.
apt_pkgs=""
command -v antiword >/dev/null 2>&1 || apt_pkgs="antiword"
if [ "${NIANBAO_LIBREOFFICE:-0}" = 1 ] && ! command -v soffice >/dev/null 2>&1; then
  apt_pkgs="$apt_pkgs libreoffice-writer-nogui"
fi
if [ -n "$apt_pkgs" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's $apt_pkgs" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $apt_pkgs >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $apt_pkgs >/dev/null
  else
    echo "setup: $apt_pkgs missing; install them to read .doc/.wps attachments" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"

case "$job" in
  demo) exec .venv/bin/nianbao demo "$@" ;;
  test)
    .venv/bin/ruff check .
    exec .venv/bin/python -m pytest "$@" ;;
  none) echo "setup: done; run .venv/bin/nianbao --help" >&2 ;;
  *) echo "usage: ./setup.sh [demo|test] [args…]" >&2; exit 2 ;;
esac
