#!/usr/bin/env bash
# Start the dashboard on http://127.0.0.1:8050 (builds the demo database on first run), served as in
# production: gunicorn, 2 workers, the app object app:server (server/gunicorn_conf.py). For development
# (reload-free, one process, Flask's server) run `.venv/bin/python app.py` instead.
# Needs only Python >= 3.11. Set DATABASE_URL to use another database; PORT / HOST to change where it listens.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import dash, sqlalchemy, data" 2>/dev/null || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[postgres,redis]"
  touch .venv/.installed
fi
exec .venv/bin/gunicorn -c python:server.gunicorn_conf app:server
