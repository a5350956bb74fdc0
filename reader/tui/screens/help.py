"""The help screen: every key of the screen it was opened from, read from the live bindings.

The keys come from the bindings as they are now (after the config file's `[keys]` were applied), so a
rebinding shows its new key here. Each row gives the key(s), what it does, and the binding id to put in
the config file. Grouped: the focused widget and the reading widget ("Reading & moving"), the screen
("This screen"), and the app ("App"). `escape`, `q` or `?` close it; arrows / page keys scroll.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from reader.display import short_path
from reader.tui.config import default_path


@dataclass
class KeyRow:
    keys: list[str]
    description: str
    binding_id: str | None
    action: str


@dataclass
class KeyGroup:
    title: str
    rows: list[KeyRow] = field(default_factory=list)


def _describe(binding: Binding) -> str:
    # a footer's label is short ("Article"); a tooltip, when there is one, says it in full
    if binding.tooltip:
        return binding.tooltip
    if binding.description:
        return binding.description
    action = binding.action.rpartition(".")[2].split("(", 1)[0]
    return action.replace("_", " ").capitalize()


def _bindings_of(node: DOMNode, keymap: dict[str, str]) -> BindingsMap:
    """The node's bindings with the app's keymap (the config file's [keys]) applied, as Textual applies it."""
    bindings = node._bindings.copy()
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings


def _group_title(node: DOMNode, screen: Screen) -> str:
    from reader.tui.widgets.article_view import ArticleView

    if node is screen:
        return "This screen"
    if isinstance(node, ArticleView):
        return "Reading & moving"
    if isinstance(node, (DataTable, OptionList)):
        return "Moving in the list"
    if isinstance(node, (Input, TextArea)):
        return "Typing"
    if isinstance(node, Widget) and not isinstance(node, Screen):
        return "Moving"
    return "App"


def collect_keys(for_screen: Screen) -> list[KeyGroup]:
    """The key groups of ``for_screen``: focused widget chain, the reader's own widgets, screen, app."""
    app = for_screen.app
    keymap = dict(getattr(app, "_keymap", {}) or {})
    focused = for_screen.focused
    if focused is not None:
        nodes: list[DOMNode] = [n for n in focused.ancestors_with_self]
    else:
        nodes = [for_screen, app]
    # the project's own widgets on this screen (for example the ArticleView while the panel has focus)
    extra: list[DOMNode] = []
    try:
        for widget in for_screen.query("*"):
            if widget in nodes or not type(widget).__module__.startswith("reader."):
                continue
            if widget.__class__.__dict__.get("BINDINGS"):
                extra.append(widget)
    except Exception:  # a screen being torn down has no DOM to walk
        pass
    # widgets first (focused one first), then the screen, then the app
    widgets = [n for n in nodes if n is not for_screen and n is not app] + extra
    ordered = widgets + [for_screen, app]

    groups: dict[str, KeyGroup] = {}
    seen: dict[tuple[str, str, str], KeyRow] = {}
    for node in ordered:
        bindings = _bindings_of(node, keymap)
        node_title = _group_title(node, for_screen)
        for key, binding in bindings:
            if binding.system or not binding.id:
                # Only our own bindings: each has an id (the name to rebind it by). Textual's widget
                # internals (a table's "Scroll Left", "Page Right", focus keys) are not ours to list.
                continue
            title = node_title
            ident = (title, binding.id, binding.action)
            display = app.get_key_display(binding)
            row = seen.get(ident)
            if row is None:
                row = KeyRow([], _describe(binding), binding.id, binding.action)
                seen[ident] = row
                groups.setdefault(title, KeyGroup(title)).rows.append(row)
            if display not in row.keys:
                row.keys.append(display)
    order = ["This screen", "Reading & moving", "Moving in the list", "Moving", "Typing", "General", "App"]
    ordered_groups = [groups[t] for t in order if t in groups]
    # A key listed once: a row whose keys were all listed above it is left out (the library's `e
    # Export` is the app's export; the screen's `q` is the one that runs, not the app's).
    shown: set[str] = set()
    for group in ordered_groups:
        kept = []
        for row in group.rows:
            keys = set(row.keys)
            if keys and keys <= shown:
                continue
            shown |= keys
            kept.append(row)
        group.rows = kept
    return [g for g in ordered_groups if g.rows]


KEY_WIDTH = 16
ID_WIDTH = 26


def _table(group: KeyGroup) -> Table:
    # Fixed widths for the key and id columns: every group's table lines up with the others.
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True, pad_edge=False)
    table.add_column("key", style="bold", no_wrap=True, width=KEY_WIDTH, overflow="ellipsis")
    table.add_column("does", ratio=1)
    table.add_column("id", style="dim", no_wrap=True, overflow="ellipsis", width=ID_WIDTH)
    for row in group.rows:
        table.add_row(Text(", ".join(row.keys)), Text(row.description), Text(row.binding_id or "—"))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j", "scroll('down')", show=False),
        Binding("k", "scroll('up')", show=False),
    ]

    CSS_PATH = "help.tcss"

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        self.for_screen = for_screen
        self.groups = collect_keys(for_screen)

    def compose(self) -> ComposeResult:
        config = getattr(self.app, "config", None)
        path = getattr(config, "path", None) or default_path()
        name = type(self.for_screen).__name__.removesuffix("Screen") or "screen"
        with Vertical(classes="dialog", id="help-dialog"):
            yield Static(Content(f"Keys — {name}"), id="help-title")
            yield Static(Content(f"Rebind any key in {short_path(path)} under [keys], by binding id: "
                                 '"reader.tag" = "ctrl+t"  (several keys: "j,down").'), id="help-config")
            with VerticalScroll(id="help-keys"):
                for group in self.groups:
                    yield Static(Content(group.title), classes="help-group")
                    yield Static(_table(group), classes="help-table")
            yield Static(Content("↑↓ pgup pgdn scroll · esc, q or ? close"), classes="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_scroll(self, direction: str) -> None:
        keys = self.query_one("#help-keys", VerticalScroll)
        if direction == "down":
            keys.scroll_down(animate=False)
        else:
            keys.scroll_up(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
