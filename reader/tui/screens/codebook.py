"""The tag manager (key `c`): the codebook as a tree, with counts, colours and descriptions.

Keys: `r` rename · `m` merge into another tag · `x` delete (from every annotation; the annotations stay) ·
`d` describe · `p` colour (#rrggbb) · `U` / `ctrl+z` undo the last rename/merge/delete/edit ·
`enter` show the library filtered by the tag (sub-tags included) · `escape` back.

Every change goes through ``reader.codebook`` (the store's lock, durable writes); this screen only asks
and shows. Undo is a stack kept by the app, so it survives leaving and reopening the screen.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from reader import codebook as cbk
from reader.display import one_line
from reader.tui.keys import EarlyTyping, TextKeysStandAside
from reader.tui.messages import AnnotationsChanged

DESCRIPTION_WIDTH = 60


def undo_stack(app: Any) -> list[tuple[str, Any]]:
    """The app-wide stack of codebook changes: ("retag", Change) or ("entry", (tag, Entry | None))."""
    return app.__dict__.setdefault("_codebook_undo", [])


def refresh_colors(app: Any) -> cbk.Codebook | None:
    """Load the codebook and hand its colours to the highlights; None (and a warning) if unreadable."""
    from reader.tui import colors

    try:
        book = cbk.Codebook.load(app.db_path)
    except cbk.CodebookError as exc:
        app.notify(Content(str(exc)), severity="error", timeout=8)
        return None
    colors.set_codebook(book)
    return book


class PromptScreen(EarlyTyping, ModalScreen[str | None]):
    """One line of input: enter answers, escape cancels; keys typed before the field has focus go into it."""

    FIELD = "#prompt-input"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]
    CSS_PATH = "codebook.tcss"

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="prompt"):
            yield Label(Content(self.question))
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input", select_on_focus=False)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodebookTable(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="codebook.down"),
        Binding("k", "cursor_up", "Up", show=False, id="codebook.up"),
    ]


class CodebookScreen(TextKeysStandAside, Screen):
    AUTO_FOCUS = "#codebook-table"
    BINDINGS = [
        Binding("enter", "filter", "Articles", id="codebook.filter", priority=True),
        Binding("r", "rename", "Rename", id="codebook.rename", priority=True),
        Binding("m", "merge", "Merge", show=False, id="codebook.merge", priority=True),
        Binding("x", "delete", "Delete", id="codebook.delete", priority=True),
        Binding("d", "describe", "Describe", id="codebook.describe", priority=True),
        Binding("p", "color", "Colour", id="codebook.color", priority=True),
        Binding("U,ctrl+z", "undo", "Undo", show=False, id="codebook.undo", priority=True),
        Binding("escape", "back", "Back", id="codebook.back", priority=True),
    ]
    TEXT_KEY_ACTIONS = frozenset({"rename", "merge", "delete", "describe", "color", "undo", "filter"})
    CSS_PATH = "codebook.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cbk.Node] = []
        self.book: cbk.Codebook | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="codebook-header")
            # the swatch keeps its colour on the highlighted row too
            yield CodebookTable(id="codebook-table", cursor_type="row", zebra_stripes=True,
                                cursor_foreground_priority="renderable")
            yield Static(id="codebook-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(CodebookTable)
        table.add_column("Tag", key="tag")
        table.add_column("Count", key="count")
        table.add_column("Colour", key="color")
        table.add_column("Description", key="description")
        self.reload()

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        self.reload()

    # --- showing --------------------------------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        session = self.app.session
        self.book = refresh_colors(self.app) or cbk.Codebook(cbk.codebook_path(session.db_path))
        self.nodes = cbk.tree(session.tag_counts(), self.book)
        table = self.query_one(CodebookTable)
        current = keep or self.selected()
        table.clear()
        for node in self.nodes:
            table.add_row(*self._cells(node), key=node.tag)
        total = sum(1 for _ in session.all_annotations())
        self.query_one("#codebook-header", Static).update(Content(
            f"Codebook — {len(self.nodes)} tags · {total} annotations · a parent counts its sub-tags"))
        empty = self.query_one("#codebook-empty", Static)
        empty.display = not self.nodes
        empty.update(Content("No tags yet. Tag a passage in the reader (t), then come back."))
        if current:
            for i, node in enumerate(self.nodes):
                if node.tag.casefold() == current.casefold():
                    table.move_cursor(row=i)
                    break

    def _cells(self, node: cbk.Node) -> list[Text]:
        from reader.tui.colors import tag_color

        branch = "▾ " if any(n is not node and cbk.tag_matches(node.tag, n.tag) for n in self.nodes) else "• "
        label = Text("\u00a0\u00a0" * node.depth + branch)  # no-break spaces: the table keeps them
        label.append(node.label, style="bold" if node.depth == 0 else "")
        count = Text(f"{node.total:>5}" + (f" ({node.own})" if node.own != node.total else ""))
        color = Text()
        shown = tag_color(self.app.current_theme, node.tag)
        color.append("  ██  ", style=Style(color=shown.rich_color))
        color.append(node.color or "auto", style="" if node.color else "dim")
        flat = one_line(node.description, DESCRIPTION_WIDTH)
        return [label, count, color, Text(flat, style="" if flat else "dim")]

    def selected(self) -> str | None:
        table = self.query_one(CodebookTable)
        if not self.nodes or table.cursor_row is None or not 0 <= table.cursor_row < len(self.nodes):
            return None
        return self.nodes[table.cursor_row].tag

    # --- changing -------------------------------------------------------------------------------------

    def _ready(self) -> str | None:
        tag = self.selected()
        if tag is None:
            self.app.notify(Content("No tag selected."), timeout=2)
            return None
        if self.app.session.pending:
            self.app.notify(Content("Some changes are still waiting to be saved; try again once they are."),
                            severity="warning")
            return None
        return tag

    def _changed(self, summary: str, keep: str | None = None) -> None:
        self.app.post_message(AnnotationsChanged(None))
        self.reload(keep)
        self.app.notify(Content(f"{summary} — U to undo"), timeout=3)

    def _run(self, operation, summary_of, keep: str | None = None) -> None:
        from reader.store import StoreError

        try:
            change = operation()
        except (cbk.CodebookError, StoreError, ValueError) as exc:
            self.app.notify(Content(str(exc)), severity="error", timeout=6)
            return
        undo_stack(self.app).append(change)
        self._changed(summary_of(change), keep)

    def action_rename(self) -> None:
        tag = self._ready()
        if tag is None:
            return

        def done(new: str | None) -> None:
            if new and new.strip() and new.strip() != tag:
                s = self.app.session
                self._run(lambda: ("retag", s.rename_tag(tag, new)),
                          lambda c: f"{c[1].summary}: {len(c[1].before)} annotation(s)", keep=new.strip())

        self.app.push_screen(PromptScreen(f"Rename {tag} (its sub-tags follow) to:", tag), done)

    def action_merge(self) -> None:
        tag = self._ready()
        if tag is None:
            return

        def done(target: str | None) -> None:
            if target and target.strip():
                s = self.app.session
                self._run(lambda: ("retag", s.merge_tag(tag, target)),
                          lambda c: f"{c[1].summary}: {len(c[1].before)} annotation(s)", keep=target.strip())

        self.app.push_screen(PromptScreen(f"Merge {tag} into which tag?", "", "an existing tag"), done)

    def action_delete(self) -> None:
        tag = self._ready()
        if tag is None:
            return
        s = self.app.session
        self._run(lambda: ("retag", s.delete_tag(tag)),
                  lambda c: f"{c[1].summary} from {len(c[1].before)} annotation(s)")

    def _edit_entry(self, tag: str, **fields: str) -> None:
        s = self.app.session
        before = self.book.get(tag) if self.book else None
        snapshot = cbk.Entry(**before.as_dict()) if before else None
        self._run(lambda: (s.describe_tag(tag, **fields), ("entry", (tag, snapshot)))[1],
                  lambda c: f"{tag}: {', '.join(fields)} saved", keep=tag)

    def action_describe(self) -> None:
        tag = self._ready()
        if tag is None:
            return
        current = self.book.description(tag) if self.book else ""

        def done(text: str | None) -> None:
            if text is not None:
                self._edit_entry(tag, description=text)

        self.app.push_screen(PromptScreen(f"Description of {tag}:", current), done)

    def action_color(self) -> None:
        tag = self._ready()
        if tag is None:
            return
        entry = self.book.get(tag) if self.book else None

        def done(text: str | None) -> None:
            if text is not None:
                self._edit_entry(tag, color=text)

        self.app.push_screen(PromptScreen(f"Colour of {tag} (#rrggbb, empty = automatic):",
                                          entry.color if entry else "", "#1f77b4"), done)

    def action_undo(self) -> None:
        from reader.store import StoreError

        stack = undo_stack(self.app)
        if not stack:
            self.app.notify(Content("Nothing to undo."), timeout=2)
            return
        kind, payload = stack.pop()
        s = self.app.session
        try:
            if kind == "retag":
                s.undo_tag_change(payload)
                summary = f"undone: {payload.summary}"
            else:
                tag, entry = payload
                s.restore_tag_entry(tag, entry)
                summary = f"undone: the edit of {tag}"
        except (cbk.CodebookError, StoreError) as exc:
            stack.append((kind, payload))
            self.app.notify(Content(str(exc)), severity="error", timeout=6)
            return
        self.app.post_message(AnnotationsChanged(None))
        self.reload()
        self.app.notify(Content(summary), timeout=3)

    def action_filter(self) -> None:
        tag = self.selected()
        if tag is not None:
            self.app.filter_library_by_tag(tag)

    def action_back(self) -> None:
        self.app.pop_screen()
