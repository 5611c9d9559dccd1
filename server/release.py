"""Which code is running: a fingerprint of the app's Python source, part of every shared cache key.

The Redis cache outlives a deploy: its keys carried the data version but not the code's, so
after an upgrade the workers kept serving pages rendered by the old code (and query results
shaped by it) until the next import. With the fingerprint in the key prefix, new code starts
on an empty cache and the old entries age out (Redis evicts what is not used).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from data.config import ROOT

PACKAGES = ("app.py", "cli", "components", "data", "pages", "server")


def code_fingerprint(root: Path = ROOT) -> str:
    """12 hex digits over the path and content of every .py file the app is made of."""
    digest = hashlib.sha1()
    for name in PACKAGES:
        base = root / name
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
