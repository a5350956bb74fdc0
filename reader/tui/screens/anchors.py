"""The review list and the orphan panel of an article whose text changed (opened from the reader: R, O).

Review (R) steps through passages the core re-anchored with a confidence below the review threshold:
``a`` accepts the new place, ``r`` re-attaches the passage to the reader's selection, ``x`` deletes it
(``U`` undoes), ``enter`` shows it in the text. Orphans (O) lists the passages that were not found, with
their old quote, tags and note: ``r`` re-attaches one to the selection (same id, tags, note and creation
time), ``x`` deletes it (``U`` undoes). Every change goes through the session (reader.session); this
screen only presents.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.display import one_line
from reader.living import needs_review
from reader.tui.editing import DELETED, EditsAnnotations

HINTS = {
    "review": "a accept · r re-attach to the selection · x delete\nU undo · enter show · esc close",
    "orphans": "r re-attach to the selection · x delete\nU undo · esc close",
}


class AnchorList(EditsAnnotations, ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="anchors.close"),
        Binding("a", "accept", "Accept", id="anchors.accept"),
        Binding("r", "reattach", "Re-attach", id="anchors.reattach"),
        Binding("x", "delete", "Delete", id="anchors.delete"),
        Binding("U,ctrl+z", "undo", "Undo", id="anchors.undo"),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
    ]

    def __init__(self, reader, mode: str, selection: tuple[int, int] | None) -> None:
        super().__init__()
        self.reader, self.mode, self.selection = reader, mode, selection

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="anchor-list"):
            yield Static(Content(""), classes="dialog-title", id="anchor-title")
            yield OptionList(id="anchor-options")
            yield Static(Content(HINTS[self.mode]), classes="dialog-hint", id="anchor-hint")

    def on_mount(self) -> None:
        self.query_one("#anchor-hint").styles.height = 2     # the keys on two lines: they fit at 80 columns
        self._fill()
        self.query_one("#anchor-options").focus()

    # --- what is listed ------------------------------------------------------------------------------

    def items(self) -> list:
        placed = self.reader.placed
        if self.mode == "review":
            return [p for p in placed if p.anchor.found and p.start is not None and needs_review(p.record)]
        return [p for p in placed if not p.anchor.found]

    def _fill(self) -> None:
        items = self.items()
        listing = self.query_one("#anchor-options", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        width = 70
        for p in items:
            r = p.record
            tags = ", ".join(r["tags"]) or "no tags"
            if self.mode == "review":
                was = r.get("old_quote")
                line = f"now “{one_line(r['quote'], width)}”"
                if was:
                    line += f"\n  was “{one_line(was, width)}”"
                line += f"\n  {tags} · confidence {p.anchor.confidence:.2f}"
            else:
                line = f"“{one_line(r.get('old_quote') or r['quote'], width)}”\n  {tags}"
                if r["note"]:
                    line += f" · note: {one_line(r['note'], width - 10)}"
            listing.add_option(Option(Content(line), id=r["id"]))
        what = "to review" if self.mode == "review" else "orphaned"
        title = f"{len(items)} annotation{'s' if len(items) != 1 else ''} {what}"
        if self.mode == "orphans":
            title += " (not found in the text as it is now; kept)"
        self.query_one("#anchor-title", Static).update(Content(title))
        if items:
            listing.highlighted = min(highlighted or 0, len(items) - 1)

    def _current(self) -> str | None:
        listing = self.query_one("#anchor-options", OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    def _changed(self) -> None:
        self.reader.refresh_annotations()
        self._fill()

    # --- actions -------------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        listing = self.query_one("#anchor-options", OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_accept(self) -> None:
        annotation_id = self._current()
        if annotation_id is None or self.mode != "review":
            return
        self.apply_change(lambda: self.app.session.accept_place(annotation_id), "New place accepted")
        self._changed()

    def action_reattach(self) -> None:
        annotation_id = self._current()
        if annotation_id is None:
            return
        if self.selection is None:
            self.app.notify(Content("Select the passage first (v, then move), then open this list again."),
                            timeout=4)
            return
        start, end = self.selection
        self.apply_change(lambda: self.app.session.reattach(annotation_id, start, end), "Annotation re-attached")
        self.selection = None
        self._changed()

    def action_delete(self) -> None:
        annotation_id = self._current()
        if annotation_id is None:
            return
        self.apply_change(lambda: self.app.session.delete(annotation_id), DELETED)
        self._changed()

    def action_undo(self) -> None:
        self.app.undo_delete()
        self._changed()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#anchor-options")
    def _show(self, event: OptionList.OptionSelected) -> None:
        placed = next((p for p in self.reader.placed if p.record["id"] == event.option.id), None)
        if placed is None or placed.start is None:
            return
        self.dismiss(None)
        self.reader.show_offset(placed.start)
