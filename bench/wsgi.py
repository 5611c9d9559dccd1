"""The app for the benchmark's gunicorn: ``app.server`` plus a ``Server-Timing`` header.

``app;dur=`` is the server's wall time inside the WSGI app and ``cpu;dur=`` the CPU
time of the thread that served it, both in ms. The CPU time holds still when the
shared machine is busy; the wall time does not. Production runs ``app:server``.
"""
from __future__ import annotations

import time

from app import server as _server


def server(environ, start_response):
    t0, c0 = time.perf_counter(), time.thread_time()

    def timed_start_response(status, headers, exc_info=None):
        wall = (time.perf_counter() - t0) * 1000
        cpu = (time.thread_time() - c0) * 1000
        headers = list(headers) + [("Server-Timing", f"app;dur={wall:.2f}, cpu;dur={cpu:.2f}")]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    return _server(environ, timed_start_response)
