"""The library's preview pane: it presents the lines that ``reader.preview.assemble`` made.

Each kind of line gets a component class (``preview--title``, ``preview--label`` ...), styled in
``app.tcss`` from the theme's variables; hits in the best snippet are bold and underlined, as in the list.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from reader.preview import Line
from reader.tui.text import MATCH_STYLE, emphasise

KINDS = ("title", "meta", "id", "label", "snippet", "tags", "note", "text", "quiet")


class ArticlePreview(Widget):
    COMPONENT_CLASSES = {f"preview--{kind}" for kind in KINDS}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article_id: str | None = None
        self.lines: list[Line] = []
        self.loads = 0  # articles assembled so far (the tests check that cursor moves are debounced)

    def show(self, article_id: str | None, lines: list[Line]) -> None:
        self.article_id = article_id
        self.lines = lines
        self.refresh()

    def plain(self) -> str:
        """What the pane says, without styles (the tests read it)."""
        return "\n".join(line.text for line in self.lines)

    def render(self) -> Text:
        out = Text(overflow="fold")
        for i, line in enumerate(self.lines):
            if i:
                out.append("\n")
            if line.kind == "blank":
                continue
            style = self.get_component_rich_style(f"preview--{line.kind}", partial=True)
            if line.kind == "snippet":  # the hit words bold and underlined on the snippet's style
                out.append_text(emphasise(line.text, line.spans, style=MATCH_STYLE, base=style))
            else:
                out.append(line.text, style)
        return out
