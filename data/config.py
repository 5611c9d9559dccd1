"""Where the database is: one setting, ``DATABASE_URL``."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_DB_PATH = ROOT / "var" / "tthc-demo.sqlite"
DEMO_DB_URL = f"sqlite:///{DEMO_DB_PATH}"


def database_url() -> str:
    """The database the app and the CLI use; the demo SQLite file by default."""
    return os.environ.get("DATABASE_URL") or DEMO_DB_URL


def is_demo_url(url: str) -> bool:
    return url == DEMO_DB_URL
