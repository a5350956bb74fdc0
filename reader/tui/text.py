"""User text as Rich Text with parts emphasised: never parsed as markup, whatever it contains."""

from __future__ import annotations

from typing import Iterable

from rich.style import Style
from rich.text import Text

MATCH_STYLE = "bold underline"


def emphasise(text: str, spans: Iterable[tuple[int, int]], *, style: str = MATCH_STYLE,
              base: str | Style = "", one_line: bool = False) -> Text:
    """``text`` literally, with each (start, end) span styled; spans out of range are ignored."""
    out = Text(text, style=base, no_wrap=one_line, overflow="ellipsis" if one_line else None)
    for start, end in spans:
        if 0 <= start < end <= len(text):
            out.stylize(style, start, end)
    return out
