"""The export dialog: a format, a scope (everything, one tag, this article) and a file path.

Keyboard only: `tab` / `shift+tab` move between the fields, `↑/↓` choose within a list, `enter` (from
anywhere in the dialog) writes the file in a worker, `escape` cancels. The path follows the format until
the user edits it. Errors are shown in the dialog, never as a traceback.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.display import field, one_line
from reader.export import FORMATS, ExportError, filter_records, render, write_export
from reader.records import order_tags

FORMAT_LABELS = {
    "json": "JSON — the native export (imports back)",
    "w3c": "W3C Web Annotations (JSON-LD)",
    "jsonl": "JSONL — doccano, one line per article",
    "md": "Markdown digest to read or paste",
    "csv": "CSV — one row per annotation, for Excel/LibreOffice",
}
EXTENSIONS = {"json": "json", "w3c": "w3c.json", "jsonl": "jsonl", "md": "md", "csv": "csv"}
FORMAT_NAMES = {"json": "JSON", "w3c": "W3C", "jsonl": "JSONL", "md": "Markdown", "csv": "CSV"}


def default_path(folder: Path, fmt: str, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path(folder) / f"export-{stamp}.{EXTENSIONS[fmt]}"


def _choice(label: str | Text, chosen: bool) -> Text:
    out = Text("● " if chosen else "○ ", style="bold" if chosen else "dim")
    out.append_text(label if isinstance(label, Text) else Text(label))
    return out


class Dialog(VerticalScroll, can_focus=False):
    """The dialog body: scrolls on a short terminal, never takes focus itself."""


class ChoiceList(OptionList):
    """An option list whose highlighted option is the choice (arrows choose; no enter needed)."""

    BINDINGS = [
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]


class ExportScreen(ModalScreen[Path | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("enter", "export", "Export", priority=True, id="export.write"),
    ]

    CSS_PATH = "export.tcss"

    def __init__(self, tag: str | None = None, article: str | None = None, annotator: str | None = None) -> None:
        super().__init__()
        self.annotator = annotator  # only this annotator's annotations (the browser's `w` filter)
        self.initial_tag = tag
        self.article = article
        self.fmt = "json"
        self.scopes: list[tuple[str, str | None]] = []  # ("all" | "tag" | "article", tag)
        self.scope_index = 0
        self._auto_path = ""
        self._path_edited = False
        self.busy = False
        self.records: list[dict[str, Any]] = []
        self._labels: dict[str, list[Text]] = {}

    # --- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Dialog(classes="dialog", id="export-dialog"):
            yield Static(Content("Export annotations"), classes="export-title")
            yield Static(Content("Format"), classes="export-label")
            yield ChoiceList(id="export-format")
            yield Static(Content("Which annotations"), classes="export-label")
            yield ChoiceList(id="export-scope")
            yield Static(Content("Write to (the name follows the format until you edit it)"), classes="export-label")
            yield Input(id="export-path", placeholder="file path")
            yield Static(id="export-summary")
            yield Static(id="export-error")
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export-go", variant="primary", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)
                yield Static(Content("tab next · ↑↓ choose · enter export · esc cancel"), classes="export-hint")

    def on_mount(self) -> None:
        session = self.app.session
        self.records = filter_records(session.all_annotations(), annotator=self.annotator)
        tag_counts = session.tag_counts() if self.annotator is None else {
            t: n for t, n in session.tag_counts().items() if filter_records(self.records, tag=t)}
        self.scopes = [("all", None)]
        tags = order_tags(tag_counts)
        if self.article is not None:
            self.scopes.append(("article", None))
        self.scopes.extend(("tag", t) for t in tags)
        if self.initial_tag is not None:
            wanted = self.initial_tag.casefold()
            self.scope_index = next((i for i, (k, t) in enumerate(self.scopes)
                                     if k == "tag" and t is not None and t.casefold() == wanted), 0)
        elif self.article is not None:
            self.scope_index = 1
        self.query_one("#export-error").display = False
        self._fill_formats()
        self._fill_scopes()
        self._set_auto_path()
        self._update_summary()
        self.query_one("#export-format").focus()

    # --- choices --------------------------------------------------------------------------------------

    def _fill_formats(self) -> None:
        options = self.query_one("#export-format", ChoiceList)
        highlighted = FORMATS.index(self.fmt)
        options.clear_options()
        self._labels["#export-format"] = []
        for fmt in FORMATS:
            label = Text(f"{fmt:<6}", style="bold")
            label.append(FORMAT_LABELS.get(fmt, fmt))
            self._labels["#export-format"].append(label)
            options.add_option(Option(_choice(label, fmt == self.fmt), id=fmt))
        options.highlighted = highlighted

    def _scope_label(self, kind: str, tag: str | None) -> Text:
        if kind == "all":
            return Text(f"All annotations ({len(self.records)})")
        if kind == "article":
            article = self.app.session.article(self.article)
            title = article.title if article is not None and article.title else str(self.article)
            n = len(filter_records(self.records, article=self.article))
            label = Text("This article: ")
            label.append(Text(one_line(title, 44)))
            label.append(f" ({n})")
            return label
        label = Text("Tag: ")
        label.append(Text(field(str(tag)), style="bold"))
        label.append(f" ({len(filter_records(self.records, tag=tag))})")
        return label

    def _fill_scopes(self) -> None:
        options = self.query_one("#export-scope", ChoiceList)
        options.clear_options()
        self._labels["#export-scope"] = [self._scope_label(kind, tag) for kind, tag in self.scopes]
        for i, label in enumerate(self._labels["#export-scope"]):
            options.add_option(Option(_choice(label, i == self.scope_index), id=f"s{i}"))
        options.highlighted = self.scope_index

    @on(OptionList.OptionHighlighted, "#export-format")
    def _format_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        fmt = event.option.id
        if fmt is None or fmt == self.fmt:
            return
        self.fmt = fmt
        self._refresh_marks("#export-format", FORMATS.index(fmt))
        self._set_auto_path()
        self._update_summary()

    @on(OptionList.OptionHighlighted, "#export-scope")
    def _scope_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        index = int(event.option.id[1:]) if event.option.id else 0
        if index == self.scope_index:
            return
        self.scope_index = index
        self._refresh_marks("#export-scope", index)
        self._update_summary()

    def _refresh_marks(self, selector: str, chosen: int) -> None:
        options = self.query_one(selector, ChoiceList)
        labels = self._labels[selector]
        for i in range(min(options.option_count, len(labels))):
            options.replace_option_prompt_at_index(i, _choice(labels[i], i == chosen))

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # enter is the dialog's "export" key; a click just chooses

    # --- path -----------------------------------------------------------------------------------------

    def _set_auto_path(self) -> None:
        if self._path_edited:
            return
        self._auto_path = str(default_path(self.app.session.db_path.parent, self.fmt))
        field = self.query_one("#export-path", Input)
        with self.prevent(Input.Changed):
            field.value = self._auto_path
        field.cursor_position = len(field.value)

    @on(Input.Changed, "#export-path")
    def _path_typed(self, event: Input.Changed) -> None:
        self._path_edited = event.value != self._auto_path
        self._show_error(None)

    # --- summary / errors -----------------------------------------------------------------------------

    def selected_records(self) -> list[dict[str, Any]]:
        kind, tag = self.scopes[self.scope_index]
        if kind == "article":
            return filter_records(self.records, article=self.article)
        if kind == "tag":
            return filter_records(self.records, tag=tag)
        return list(self.records)

    def _update_summary(self) -> None:
        n = len(self.selected_records())
        text = f"{n} annotation{'s' if n != 1 else ''} as {FORMAT_NAMES.get(self.fmt, self.fmt)}"
        if self.annotator is not None:
            text += f", by {self.annotator or '(unknown)'}"
        if self.fmt == "jsonl":
            text += " (one line per article; whole-article tags go to its meta)"
        self.query_one("#export-summary", Static).update(Content(text))
        self._show_error(None)

    def _show_error(self, message: str | None) -> None:
        error = self.query_one("#export-error", Static)
        error.display = message is not None
        if message is not None:
            error.update(Content(message))

    # --- actions --------------------------------------------------------------------------------------

    @on(Button.Pressed, "#export-go")
    def _go(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_export(self) -> None:
        if self.focused is not None and self.focused.id == "export-cancel":
            self.action_cancel()
            return
        if self.busy:
            return
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._show_error("Give a file path to write the export to.")
            self.query_one("#export-path").focus()
            return
        records = self.selected_records()
        if not records:
            self._show_error("Nothing to export: no annotations in this scope.")
            return
        path = Path(raw).expanduser()
        self.busy = True
        self.query_one("#export-summary", Static).update(Content(f"Writing {len(records)} annotations…"))
        self.write(self.fmt, records, path)

    @work(thread=True, exclusive=True, group="export")
    def write(self, fmt: str, records: list[dict[str, Any]], path: Path) -> None:
        session = self.app.session
        notices: list[str] = []
        try:
            articles = {a.id: a for a in session.articles}
            text = render(fmt, records, articles, corpus=str(session.corpus_root), notices=notices)
            write_export(path, text)
            damaged = sorted(session.store.damage)
            if damaged:  # skipped, or taken from their last good backup: the export says which
                notices.insert(0, f"{len(damaged)} damaged database file(s) skipped or taken from a backup "
                                  f"({', '.join(damaged[:2])}); run `reader doctor`")
        except (ExportError, OSError) as exc:
            self.app.call_from_thread(self._failed, str(exc) or exc.__class__.__name__)
            return
        except Exception as exc:  # anything unexpected: still a sentence in the dialog, never a traceback
            self.app.call_from_thread(self._failed, f"export failed: {exc.__class__.__name__}: {exc}")
            return
        self.app.call_from_thread(self._written, fmt, len(records), path, notices)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_summary()
        self._show_error(f"Could not export: {message}")

    def _written(self, fmt: str, count: int, path: Path, notices: list[str]) -> None:
        self.busy = False
        noun = "annotation" if count == 1 else "annotations"
        # the path on a line of its own (shortened to the toast's width by App.notify), then any notices
        message = f"Wrote {count} {noun} as {FORMAT_NAMES.get(fmt, fmt)} to\n{path.absolute()}"
        if notices:
            message += "\n" + "; ".join(notices[:2])
        self.app.notify(Content(message), title="Export", timeout=6)
        self.dismiss(path)
