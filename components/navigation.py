"""Navigation a page's own callbacks make (a bar clicked, a level or a month picked): to the
page's own Location, not the shell's ``url``.

Dash fires a callback whose inputs arrive with a page's content even under
``prevent_initial_call=True`` when its output was already on the page (the shell's ``url``):
every load of /scorecard sent three requests that answered "no change", /levels, /late and
/postal one each, and the renderer did their work on the phone's main thread (issue 16). An
output inserted with its inputs keeps ``prevent_initial_call``. Setting this Location's search
moves the browser's URL like a link does (``refresh="callback-nav"``: Dash's other Locations, the
shell's and the pages', follow it), so the page redraws for the new URL as before.
"""
from __future__ import annotations

from dash import Output, dcc


def page_location(prefix: str) -> dcc.Location:
    """The Location a page's layout holds for its callbacks to navigate with (id ``<prefix>-go``)."""
    return dcc.Location(id=f"{prefix}-go", refresh="callback-nav")


def go_to(prefix: str) -> Output:
    """The output a page's navigating callback writes the new query string to."""
    return Output(f"{prefix}-go", "search", allow_duplicate=True)
