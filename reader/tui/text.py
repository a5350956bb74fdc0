"""User text as Rich Text with parts emphasised: never parsed as markup, whatever it contains."""

from __future__ import annotations

import re
from typing import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from reader.corpus import CONTROL_PICTURES

MATCH_STYLE = "bold underline"


def emphasise(text: str, spans: Iterable[tuple[int, int]], *, style: str = MATCH_STYLE,
              base: str | Style = "", one_line: bool = False) -> Text:
    """``text`` literally, with each (start, end) span styled; spans out of range are ignored."""
    out = Text(text, style=base, no_wrap=one_line, overflow="ellipsis" if one_line else None)
    for start, end in spans:
        if 0 <= start < end <= len(text):
            out.stylize(style, start, end)
    return out


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _visible(match: re.Match) -> str:
    return CONTROL_PICTURES.get(ord(match.group()), " ")  # \t and \n inside a line: a blank cell


class ControlCharacters(LineFilter):
    """Every rendered line, every widget: control characters become visible stand-ins.

    Article text is sanitised by the core, but notes, tags and imported records keep what was typed,
    and neither Rich ``Text`` nor Textual ``Content`` strips escape sequences: a note holding
    ``ESC [2J`` would clear the user's terminal. Filtering at the last step covers every widget,
    the note editor's TextArea included, without changing any stored data.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = segments
        for index, segment in enumerate(segments):
            if segment.control is None and _CONTROL.search(segment.text):
                if out is segments:
                    out = list(segments)
                out[index] = Segment(_CONTROL.sub(_visible, segment.text), segment.style)
        return out
