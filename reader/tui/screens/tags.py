"""Tag modals: pick one tag (to filter), or edit a passage's tags with fuzzy autocomplete."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.records import order_tags, split_tags
from reader.tui.keys import EarlyTyping
from reader.tui.text import emphasise
from reader.search import fuzzy_rank


def _prompt(tag: str, count: int | None, spans) -> Text:
    text = emphasise(tag, spans)
    if count is not None:
        text.append(f"  {count}", style="dim")
    return text


class TagPicker(EarlyTyping, ModalScreen[str | None]):
    """Choose one of the existing tags; type to narrow (fuzzy), enter picks, escape cancels."""

    CSS_PATH = "dialogs.tcss"

    # Not priority bindings: inside a dialog they must queue behind the text typed before them.
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tags.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, counts: dict[str, int], *, title: str = "Tags") -> None:
        super().__init__()
        self.counts = counts
        self.tags = order_tags(counts)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tag-picker"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield Input(placeholder="type to narrow", id="tag-query")
            yield OptionList(id="tag-options")
            yield Static(Content("enter pick · esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#tag-query").focus()

    @on(Input.Changed, "#tag-query")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#tag-query")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_pick()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for index, _score, spans in fuzzy_rank(query.strip(), self.tags, limit=200):
            tag = self.tags[index]
            options.add_option(Option(_prompt(tag, self.counts[tag], spans), id=f"t{index}"))
        if options.option_count:
            options.highlighted = 0

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not options.option_count:
            return
        option = options.get_option_at_index(options.highlighted)
        self.dismiss(self.tags[int(option.id[1:])])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.tags[int(event.option.id[1:])])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagEditor(EarlyTyping, ModalScreen[list[str] | None]):
    """Tags for a passage or an article, comma-separated; suggestions complete the word being typed.

    `tab` (or →at the end) takes the highlighted suggestion, `↑/↓` move among them, `enter` saves,
    `escape` cancels. The result is the normalised tag list ([] removes every tag).
    """

    CSS_PATH = "dialogs.tcss"

    # Not priority bindings: inside a dialog they must queue behind the text typed before them
    # (enter saves through Input.Submitted, after every earlier key has reached the field).
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tags.cancel"),
        Binding("tab", "complete", "Complete", id="tags.complete"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, known: dict[str, int], *, title: str, subject: str = "", initial: list[str] | None = None) -> None:
        super().__init__()
        self.known = known
        self.tags = order_tags(known)
        self.title_text = title
        self.subject = subject
        self.initial = ", ".join(initial or [])
        self._suggested: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tag-editor"):
            yield Static(Content(self.title_text), classes="dialog-title")
            if self.subject:
                yield Static(Content(self.subject), classes="dialog-subject")
            yield Input(value=self.initial + (", " if self.initial else ""),
                        placeholder="tags, comma-separated (e.g. covid, diplomacy)", id="tag-input")
            yield OptionList(id="tag-suggestions")
            yield Static(Content("enter save · tab complete · ↑↓ choose · esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        field = self.query_one("#tag-input", Input)
        field.focus()
        field.cursor_position = len(field.value)
        self._suggest(field.value)

    @staticmethod
    def _fragment(value: str) -> tuple[str, str]:
        head, _, last = value.rpartition(",")
        return (head + "," if head else ""), last.strip()

    @on(Input.Changed, "#tag-input")
    def _typed(self, event: Input.Changed) -> None:
        self._suggest(event.value)

    @on(Input.Submitted, "#tag-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def _suggest(self, value: str) -> None:
        _, fragment = self._fragment(value)
        taken = {t.casefold() for t in split_tags(value)}
        options = self.query_one(OptionList)
        options.clear_options()
        self._suggested = []
        for index, _score, spans in fuzzy_rank(fragment, self.tags, limit=8):
            tag = self.tags[index]
            if tag.casefold() in taken and tag.casefold() != fragment.casefold():
                continue
            self._suggested.append(tag)
            options.add_option(Option(_prompt(tag, self.known[tag], spans)))
        options.display = bool(self._suggested)
        if self._suggested:
            options.highlighted = 0 if fragment else None

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if not options.option_count:
            return
        current = options.highlighted
        options.highlighted = 0 if current is None else max(0, min(options.option_count - 1, current + delta))

    def action_complete(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self._suggested:
            return
        field = self.query_one("#tag-input", Input)
        head, _ = self._fragment(field.value)
        field.value = (head + " " if head else "") + self._suggested[options.highlighted] + ", "
        field.cursor_position = len(field.value)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.query_one(OptionList).highlighted = event.option_index
        self.action_complete()
        self.query_one("#tag-input").focus()

    def action_save(self) -> None:
        try:
            tags = split_tags(self.query_one("#tag-input", Input).value)
        except ValueError as exc:
            self.notify(Content(str(exc)), severity="error")
            return
        from reader.limits import MAX_TAGS

        if len(tags) > MAX_TAGS:
            self.notify(Content(f"{len(tags)} tags; an annotation holds at most {MAX_TAGS}"), severity="error")
            return
        self.dismiss(tags)

    def action_cancel(self) -> None:
        self.dismiss(None)
