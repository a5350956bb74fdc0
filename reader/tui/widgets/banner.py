"""The read-only line: shown at the top of the library and the reader while the database cannot be written.

The app decides (``ReaderApp.write_problem``, from ``Session.write_problem`` at start and cleared by the
first save that succeeds); the screens call ``show_read_only`` whenever they redraw for a change of the
annotations. The line is mounted only when needed (nothing to style on the first frame otherwise).
"""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

READ_ONLY = "read-only: annotations will not be saved"


def show_read_only(screen: Screen, after: str) -> None:
    """Show (or hide) the read-only line below the widget ``after`` (a CSS selector on ``screen``)."""
    problem = getattr(screen.app, "write_problem", None)
    found = screen.query("#read-only")
    if problem is None:
        for banner in found:
            banner.display = False
        return
    if found:
        banner = found.first(Static)
    else:
        banner = Static(id="read-only")
        below = screen.query_one(after)
        below.parent.mount(banner, after=below)
    banner.display = True
    banner.tooltip = problem
    banner.update(Content.assemble((f"⚠ {READ_ONLY}", "bold"), f" — {problem}"))
