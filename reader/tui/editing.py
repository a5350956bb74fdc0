"""The one edit flow of the TUI: open the tag or note editor, make the change through the session, report it.

Every screen that changes annotations (the reader, the annotations browser) goes through
:class:`EditsAnnotations`, so a change is reported with the same toasts wherever it is made
(``ReaderApp.report``: "Saved", "in memory only — not saved yet", "Refused"), and an annotation that another
process deleted meanwhile is a warning, never a traceback.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from textual.content import Content
from textual.screen import Screen

from reader.session import Outcome

GONE = "That annotation no longer exists."
DELETED = "Annotation deleted — U or ctrl+z to undo"

Change = Callable[..., Outcome]   # called as change(tags=[...]) or change(note="...")


def tags_saved(tags: Sequence[str]) -> str:
    """What an edit of an annotation's tags says."""
    return f"Tags saved: {', '.join(tags) or 'none'}"


def tagged(tags: Sequence[str]) -> str:
    """What a new annotation made by tagging says."""
    return f"Tagged {', '.join(tags) or '(no tags)'}"


def note_saved(_note: str) -> str:
    return "Note saved"


def pick_tag(screen: Screen, *, title: str, none_yet: str, chosen: Callable[[str], None],
             timeout: float = 3) -> None:
    """The tag picker over the session's tags (the library's and the browser's `t`); ``chosen`` gets the tag
    picked, nothing happens when the picker is cancelled; with no tag at all, ``none_yet`` is said instead."""
    from reader.tui.screens.tags import TagPicker

    counts = screen.app.session.tag_counts()
    if not counts:
        screen.notify(Content(none_yet), timeout=timeout)
        return

    def picked(tag: str | None) -> None:
        if tag:
            chosen(tag)

    screen.app.push_screen(TagPicker(counts, title=title), picked)


class EditsAnnotations:
    """Mixin for a :class:`Screen`: the editors and the reporting of what the session did."""

    def apply_change(self: Any, call: Callable[[], Outcome | None], done: str, *,
                     gone: Callable[[], None] | None = None) -> Outcome | None:
        """Run one session call and report its outcome (``done`` is what a saved change says); when the
        annotation is gone (KeyError), say so and run ``gone``."""
        try:
            outcome = call()
        except KeyError:
            self.notify(Content(GONE), severity="warning")
            if gone is not None:
                gone()
            return None
        self.app.report(outcome, done)
        return outcome

    def edit_tags(self: Any, *, title: str, subject: str, initial: Sequence[str], save: Change,
                  done: Callable[[list[str]], str] = tags_saved, then: Callable[[], None] | None = None) -> None:
        """The tag editor (completion from the session's tags); enter saves with ``save(tags=...)``."""
        from reader.tui.screens.tags import TagEditor

        editor = TagEditor(self.app.session.tag_counts(), title=title, subject=subject, initial=list(initial))
        self._edit(editor, "tags", save, done, then)

    def edit_note(self: Any, *, title: str, subject: str, initial: str, save: Change,
                  then: Callable[[], None] | None = None) -> None:
        """The note editor; ctrl+s saves with ``save(note=...)``."""
        from reader.tui.screens.note import NoteEditor

        self._edit(NoteEditor(title=title, subject=subject, initial=initial), "note", save, note_saved, then)

    def _edit(self: Any, editor: Screen, name: str, save: Change, done: Callable[[Any], str],
              then: Callable[[], None] | None) -> None:
        def edited(value: Any) -> None:
            if value is None:   # cancelled: nothing changes
                return
            self.apply_change(lambda: save(**{name: value}), done(value))
            if then is not None:
                then()

        self.app.push_screen(editor, edited)
