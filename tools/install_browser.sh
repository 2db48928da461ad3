#!/usr/bin/env bash
# What the browser test and bench/site_browser.py need: Debian's Chromium at /usr/bin/chromium and
# the Python `playwright` package in the project's virtualenv. Playwright never downloads a browser
# here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1): the tests launch executable_path="/usr/bin/chromium".
# Idempotent: does nothing when both are there.
#
#     tools/install_browser.sh [VENV]        # VENV defaults to .venv
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${1:-.venv}"
PLAYWRIGHT_SPEC="${PLAYWRIGHT_SPEC:-playwright>=1.49}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "installing Debian's chromium (apt-get)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "no virtualenv at $VENV (run 'make venv' first)" >&2
    exit 1
fi
if ! "$VENV/bin/python" -c "import playwright.sync_api" 2>/dev/null; then
    echo "installing the Python playwright package (no browser download)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$PLAYWRIGHT_SPEC"
fi

# A quick check that this Playwright drives this Chromium.
"$VENV/bin/python" - <<'EOF'
from playwright.sync_api import sync_playwright

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    version = browser.version
    page = browser.new_page()
    page.set_content("<p id=x>ok</p>")
    assert page.text_content("#x") == "ok"
    browser.close()
print(f"browser ready: chromium {version}")
EOF
