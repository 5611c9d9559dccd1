"""Target lines for the rate charts, from configuration (none by default).

``TARGET_ON_TIME_RATE`` and ``TARGET_ONLINE_SHARE`` take a fraction (``0.95``)
or a percentage (``95`` or ``95%``). A value that cannot be read is ignored with
a warning in the log rather than drawn wrongly.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

TARGET_ENV = {"on_time_rate": "TARGET_ON_TIME_RATE", "online_share": "TARGET_ONLINE_SHARE"}


def parse_target(raw: str | None) -> float | None:
    """'0.95', '95', '95%', '95,5 %' -> a fraction; empty or unreadable -> None."""
    if raw is None or not str(raw).strip():
        return None
    s = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    pct = s.endswith("%")
    s = s.rstrip("%").replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None
    if pct or value > 1:
        value /= 100
    return value if 0 < value <= 1 else None


def target(measure: str) -> float | None:
    """The configured target for ``measure`` (on_time_rate, online_share), or None."""
    name = TARGET_ENV.get(measure)
    if not name:
        return None
    raw = os.environ.get(name)
    value = parse_target(raw)
    if raw and value is None:
        log.warning("ignoring %s=%r: expected a fraction (0.95) or a percentage (95%%)", name, raw)
    return value
