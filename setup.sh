#!/usr/bin/env bash
# Set up nianbao on a fresh Debian machine, then run a job:
#   ./setup.sh demo   — crawl the bundled sample portal offline and show the reports found
#   ./setup.sh test   — run the test suite (and the linter)
#   ./setup.sh        — set up only
# Installs what is missing of Debian's chromium (for scrapy-playwright), antiword and LibreOffice
# Writer (.doc attachments; NIANBAO_LIBREOFFICE=0 skips LibreOffice), libGL (OpenCV, for OCR), the
# PostgreSQL server, Redis, npm and a CJK font for `test`, the project in ./.venv, and ReplayWeb.page's
# bundles (npm package replaywebpage) in .venv/share/replaywebpage.
set -euo pipefail
cd "$(dirname "$0")"

job="${1:-none}"
[ $# -gt 0 ] && shift

# Debian packages: chromium for scrapy-playwright (never a downloaded browser build); antiword
# for Word 97 .doc/.wps attachments (tiny); LibreOffice Writer without its GUI and recommends, for
# the official tables of .doc reports that antiword cannot lay out and for RTF (many county
# portals publish .doc; NIANBAO_LIBREOFFICE=0 skips it, and those then fail with that reason).
need=""
lean=""
command -v chromium >/dev/null 2>&1 || need="chromium"
command -v antiword >/dev/null 2>&1 || need="$need antiword"
if [ "${NIANBAO_LIBREOFFICE:-1}" = 1 ] && ! command -v soffice >/dev/null 2>&1; then
  # Calc: `nianbao export --format xlsx` is checked by converting the workbook with LibreOffice.
  lean="libreoffice-writer-nogui libreoffice-calc-nogui"
fi
# The tests start a throwaway PostgreSQL cluster (tests/test_postgres.py): the server binaries.
if [ "$job" = test ] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  need="$need postgresql"
fi
# The cluster tests (tests/test_cluster.py) start a throwaway redis-server for the shared frontier.
if [ "$job" = test ] && ! command -v redis-server >/dev/null 2>&1; then
  need="$need redis-server"
fi
# ReplayWeb.page (`nianbao serve --wacz`, and its browser test) comes from the npm registry.
if [ "$job" = test ] && ! command -v npm >/dev/null 2>&1; then
  need="$need npm"
fi
# The tests draw scanned reports (tests/scangen.py) with a CJK font; OCR's OpenCV needs libGL.
if [ "$job" = test ] && ! ls /usr/share/fonts/truetype/wqy/*.ttc /usr/share/fonts/opentype/noto/NotoSansCJK* 2>/dev/null | grep -q .; then
  need="$need fonts-wqy-microhei"
fi
ldconfig -p 2>/dev/null | grep -q 'libGL\.so\.1' || need="$need libgl1"
if [ -n "$need$lean" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ -z "$sudo" ] || command -v sudo >/dev/null 2>&1; then
    echo "setup: installing Debian's$( printf ' %s' $need $lean )" >&2
    $sudo apt-get update -qq
    install="$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq"
    # shellcheck disable=SC2086
    [ -z "$need" ] || $install $need >/dev/null
    # shellcheck disable=SC2086
    [ -z "$lean" ] || $install --no-install-recommends $lean >/dev/null
  else
    echo "setup: please install Debian's $need $lean (JavaScript pages, .doc attachments, tests)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"

# ReplayWeb.page's two bundles for `nianbao serve --wacz`: the replaywebpage npm package (pinned),
# unpacked into the venv; only ui.js, sw.js and the licence are kept, nothing is fetched at run time.
rwp=.venv/share/replaywebpage
if [ ! -f "$rwp/sw.js" ]; then
  if command -v npm >/dev/null 2>&1; then
    tmp="$(mktemp -d)"
    if (cd "$tmp" && npm pack --silent replaywebpage@2.5.3 >/dev/null 2>&1 \
        && tar xzf replaywebpage-2.5.3.tgz package/ui.js package/sw.js package/LICENSE); then
      mkdir -p "$rwp" && cp "$tmp"/package/ui.js "$tmp"/package/sw.js "$tmp"/package/LICENSE "$rwp"/
    else
      echo "setup: could not fetch ReplayWeb.page (npm pack replaywebpage@2.5.3): serve --wacz will say so" >&2
    fi
    rm -rf "$tmp"
  else
    echo "setup: no npm, so no ReplayWeb.page for nianbao serve --wacz" >&2
  fi
fi

case "$job" in
  demo) exec .venv/bin/nianbao demo "$@" ;;
  test)
    .venv/bin/ruff check .
    exec .venv/bin/python -m pytest "$@" ;;
  none) echo "setup: done; run .venv/bin/nianbao --help" >&2 ;;
  *) echo "usage: ./setup.sh [demo|test] [args…]" >&2; exit 2 ;;
esac
