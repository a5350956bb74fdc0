"""User text as Rich Text with parts emphasised: never parsed as markup, whatever it contains."""

from __future__ import annotations

from typing import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter

from reader.display import cell_safe, visible_with_map

MATCH_STYLE = "bold underline"


def emphasise(text: str, spans: Iterable[tuple[int, int]], *, style: str = MATCH_STYLE,
              base: str | Style = "", one_line: bool = False) -> Text:
    """``text`` literally, with each (start, end) span styled; spans out of range are ignored.

    Controls and invisible or reordering characters are shown as stand-ins (``␛``, ``⟨U+202E⟩``,
    reader.display.visible), the spans moved with them.
    """
    shown, where = visible_with_map(text)
    out = Text(shown, style=base, no_wrap=one_line, overflow="ellipsis" if one_line else None)
    for start, end in spans:
        if 0 <= start < end <= len(text):
            out.stylize(style, where[start], where[end])
    return out


class Pieces:
    """Pieces of text left to right, ``gap`` cells apart, with lines broken between pieces only (never inside
    one, as a space would let Rich do: a tag and its count stay together). A Rich renderable, so it is laid
    out again at whatever width it is given."""

    def __init__(self, pieces: Iterable[Text], gap: int = 2) -> None:
        self.pieces = list(pieces)
        self.gap = gap

    @property
    def plain(self) -> str:
        return (" " * self.gap).join(piece.plain for piece in self.pieces)

    def __rich_console__(self, console, options):
        width = options.max_width
        line = Text()
        for piece in self.pieces:
            if line and line.cell_len + self.gap + piece.cell_len > width:
                yield line
                line = Text()
            if line:
                line.append(" " * self.gap)
            line.append_text(piece)
        if line:
            yield line


class ControlCharacters(LineFilter):
    """Every rendered line, every widget: control characters become visible stand-ins, and invisible
    or reordering characters (bidi controls, zero-width characters) never reach the terminal.

    Article text is sanitised by the core, but notes, tags and imported records keep what was typed,
    and neither Rich ``Text`` nor Textual ``Content`` strips escape sequences: a note holding
    ``ESC [2J`` would clear the user's terminal. Filtering at the last step covers every widget,
    the note editor's TextArea included, without changing any stored data. Here no cell may move, so a
    zero-width character is dropped (reader.display.cell_safe); the widgets that show user text have
    already made it visible (emphasise, one_line, the article view's display table).
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = segments
        for index, segment in enumerate(segments):
            if segment.control is None:
                safe = cell_safe(segment.text)  # the same object when nothing is unsafe
                if safe is not segment.text:
                    if out is segments:
                        out = list(segments)
                    out[index] = Segment(safe, segment.style)
        return out
