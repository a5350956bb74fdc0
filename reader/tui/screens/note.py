"""The note editor: a multi-line text area in a modal; ctrl+s saves, escape cancels (twice if edited)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from reader.tui.keys import EarlyTyping


class NoteEditor(EarlyTyping, ModalScreen[str | None]):
    CSS_PATH = "dialogs.tcss"
    FIELD = "#note-text"

    BINDINGS = [
        # not priority: it must queue behind the text typed before it
        Binding("ctrl+s", "save", "Save", id="note.save"),
        Binding("escape", "cancel", "Cancel", priority=True, id="note.cancel"),
    ]

    def __init__(self, *, title: str, subject: str = "", initial: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.subject = subject
        self.initial = initial
        self._warned = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-editor"):
            yield Static(Content(self.title_text), classes="dialog-title")
            if self.subject:
                yield Static(Content(self.subject), classes="dialog-subject")
            yield TextArea(self.initial, id="note-text", soft_wrap=True, show_line_numbers=False,
                           tab_behavior="indent")
            yield Static(Content("ctrl+s save · esc cancel"), classes="dialog-hint", id="note-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        from reader.limits import MAX_NOTE

        text = self.text.strip("\n")
        if len(text) > MAX_NOTE:  # stay open: what was typed is not lost, only refused as it is
            self.query_one("#note-hint", Static).update(
                Content(f"the note is {len(text):,} characters; the limit is {MAX_NOTE:,} — shorten it, or esc"))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if self.text != self.initial and not self._warned:
            self._warned = True
            self.query_one("#note-hint", Static).update(
                Content("unsaved note — esc again discards it, ctrl+s saves"))
            return
        self.dismiss(None)
