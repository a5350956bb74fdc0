"""Keys typed fast must land where the user meant them.

A terminal delivers a burst of keys in one read. Textual forwards each key to whatever had focus when
the app dequeued it, and a non-priority binding only fires when its key bubbles back up to the app, by
which time the keys typed behind it are already queued on the old widget. So `t` + "people" would move
the cursor and open the export dialog (`e`) instead of typing a tag.

Two rules fix that:
- on the library and reader screens *every* binding (the screen's, the table's, the article view's) is a
  priority binding. Priority bindings run as the app dequeues each key, so a burst is handled in order
  and the keys after `t` are forwarded to the dialog it opened. (Mixing the two kinds reorders a burst: a
  priority `t` would run before a non-priority `v w` queued ahead of it.) ``text_field_has_focus`` lets
  a binding on a printable key stand aside (check_action → False) while a text field has focus;
- in dialogs, bindings are *not* priority, so enter/ctrl+s queue behind the text typed before them, and
  ``EarlyTyping`` puts printable keys that reached the dialog before its field had focus into the field.
"""

from __future__ import annotations

import sys

from textual import events
from textual.widget import Widget
from textual.widgets import Input


def text_field_has_focus(focused: Widget | None) -> bool:
    if isinstance(focused, Input):
        return True
    # No TextArea can exist before its module is imported, and importing it here would cost the
    # first frame ~10 ms (the footer asks check_action about every binding).
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(focused, text_area.TextArea)


class TextKeysStandAside:
    """Mixin for a screen whose priority bindings include printable keys (`t`, `/`, `x`, …).

    The actions named in ``TEXT_KEY_ACTIONS`` stand aside while a text field has focus, so the key is
    typed into the field instead.
    """

    TEXT_KEY_ACTIONS: frozenset[str] = frozenset()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.TEXT_KEY_ACTIONS and text_field_has_focus(self.focused):  # type: ignore[attr-defined]
            return False
        return True


class EarlyTyping:
    """Mixin for a modal screen: keys typed before its field has focus go into the field.

    Set ``FIELD`` to the selector of the Input or TextArea that should receive them.
    """

    FIELD = "Input"

    def on_key(self, event: events.Key) -> None:
        # A printable key reaches the screen itself only if it was forwarded here before the field had
        # focus (the field consumes the ones it receives), or bubbled up from a list: either way it is
        # text for the field.
        if not event.is_printable or event.character is None:
            return
        try:
            field = self.query_one(self.FIELD)  # type: ignore[attr-defined]
        except Exception:
            return
        if self.focused is not field:  # type: ignore[attr-defined]
            self.set_focus(field)  # type: ignore[attr-defined]
        if isinstance(field, Input):
            field.insert_text_at_cursor(event.character)
        else:  # a TextArea
            field.insert(event.character)
        event.stop()
        event.prevent_default()
