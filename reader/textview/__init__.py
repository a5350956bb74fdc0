"""The machinery of the reading view that needs no terminal: layout, styled spans, motions.

`reader.tui.widgets.article_view.ArticleView` keeps the state (text, cursor, selection, find hits,
highlights), draws rows and binds keys; everything it computes about the text itself lives here, as
plain functions and classes over character offsets (Python ``str`` indices, the offsets the core
stores), so it is tested without a Pilot:

* `layout`: cell widths of characters as drawn and the soft-wrapped rows of a text (`TextLayout`);
* `spans`: possibly overlapping ranges cut into disjoint pieces for lookup by row (`Spans`);
* `motions`: where a word, sentence or paragraph motion, a line or page move, a scroll, a selection
  or a step between find hits lands.

No Textual and no Rich here: how wide a character is on the terminal is the TUI's knowledge (Rich's
tables), handed to the layout as a function (`layout.CellWidths`).
"""
