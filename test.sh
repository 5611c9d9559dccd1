#!/usr/bin/env bash
# Run the whole test suite: ruff (lint, import order), then query tests on SQLite (and on PostgreSQL when
# TEST_DATABASE_URL is set), the demo database's 2023 figures, and browser tests
# in headless Chromium (installed from Debian's packages when missing and possible) with axe-core accessibility checks.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import dash.testing, pytest, hypothesis, data" 2>/dev/null || [ ! -x .venv/bin/ruff ] \
    || [ pyproject.toml -nt .venv/.installed-test ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[test,postgres,redis]"
  touch .venv/.installed-test
fi
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium and chromium-driver for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
      || echo "Could not install Chromium: browser tests will skip, saying why."
  else
    echo "Chromium is not installed and this user cannot apt-get it: browser tests will skip, saying why."
  fi
fi
# axe-core (Deque's accessibility engine) from npm for tests/test_browser_a11y.py, into var/npm; without npm
# those tests skip and say why (CI fails instead).
AXE_CORE_VERSION=4.14.1  # the engine Lighthouse 12 audits with
if ! grep -qs "\"version\": \"$AXE_CORE_VERSION\"" var/npm/node_modules/axe-core/package.json; then
  if command -v npm >/dev/null; then
    mkdir -p var/npm && npm install --silent --no-audit --no-fund --no-save --prefix var/npm "axe-core@$AXE_CORE_VERSION" >/dev/null \
      || echo "Could not install axe-core from npm: the accessibility browser tests will skip, saying why."
  else
    echo "npm is not installed: the accessibility browser tests will skip, saying why (apt-get install npm)."
  fi
fi
# Lint and import order first (pyproject.toml [tool.ruff]): a finding fails the run, as a test would.
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
