"""A block whose children the browser renders only when it scrolls into view (issue 16).

A page with nine charts drew them all at once: seconds of main-thread work on a phone before
anything answered a tap. Wrapped in :class:`LazyBlock`, a chart below the fold keeps its place
(``height``) and is drawn when it comes within 200 px of the viewport; on a phone, one only
near the viewport when the page loads waits for the reader's first scroll
(``assets/lazy_blocks.js``: an IntersectionObserver; everything is drawn before printing).
The data is sent with the page as before: callbacks, downloads and tests see the same layout.
"""
from __future__ import annotations

from dash.development.base_component import Component


class LazyBlock(Component):
    """``children`` rendered once the block nears the viewport; ``height`` (px) held until then."""

    _children_props: list[str] = []
    _base_nodes = ["children"]
    _namespace = "tthc_lazy"  # defined by assets/lazy_blocks.js, not by a component package
    _type = "LazyBlock"

    def __init__(self, children=None, id=None, className=None, style=None, height=None, **kwargs):
        self._prop_names = ["children", "id", "className", "style", "height"]
        self._valid_wildcard_attributes = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties = []
        given = {"id": id, "className": className, "style": style, "height": height}
        super().__init__(children=children, **{k: v for k, v in given.items() if v is not None}, **kwargs)


def lazy(children, height: int | None = None, **props) -> LazyBlock:
    return LazyBlock(children, height=height, **props)
