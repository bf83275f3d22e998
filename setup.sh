#!/usr/bin/env bash
# Set up nianbao on a fresh Debian machine, then run a job:
#   ./setup.sh demo   — crawl the bundled sample portal offline and show the reports found
#   ./setup.sh test   — run the test suite (and the linter)
#   ./setup.sh        — set up only
# Installs Debian's chromium (for scrapy-playwright) and antiword (.doc attachments) when missing,
# LibreOffice too with NIANBAO_LIBREOFFICE=1, the PostgreSQL server for `test`, and the project in
# ./.venv.
set -euo pipefail
cd "$(dirname "$0")"

job="${1:-none}"
[ $# -gt 0 ] && shift

# Debian packages: chromium for scrapy-playwright (never a downloaded browser build); antiword
# for Word 97 .doc/.wps attachments (tiny); LibreOffice, for the DOC tables antiword cannot lay
# out and for RTF, only with NIANBAO_LIBREOFFICE=1 (it is large).
need=""
command -v chromium >/dev/null 2>&1 || need="chromium"
command -v antiword >/dev/null 2>&1 || need="$need antiword"
if [ "${NIANBAO_LIBREOFFICE:-0}" = 1 ] && ! command -v soffice >/dev/null 2>&1; then
  need="$need libreoffice-writer-nogui"
fi
# The tests start a throwaway PostgreSQL cluster (tests/test_postgres.py): the server binaries.
if [ "$job" = test ] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  need="$need postgresql"
fi
if [ -n "$need" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ -z "$sudo" ] || command -v sudo >/dev/null 2>&1; then
    echo "setup: installing Debian's$( printf ' %s' $need )" >&2
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  else
    echo "setup: please install Debian's $need (JavaScript pages, .doc attachments, tests)" >&2
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
