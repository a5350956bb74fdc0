"""Messages the screens and the app exchange (the data itself lives in reader.session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from textual.dom import DOMNode
from textual.message import Message
from textual.signal import Signal


class CorpusLoaded(Message):
    """The corpus finished loading in its worker (``error`` set when it could not be read)."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


class LoadProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class AnnotationsChanged(Message):
    """Something changed the annotations of ``article`` (None: possibly all of them)."""

    def __init__(self, article: str | None = None) -> None:
        super().__init__()
        self.article = article


class IndexProgress(Message):
    """The search index is being built or updated: ``done`` of ``total`` articles (done == total: ready)."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class CorpusChanged(Message):
    """Another process added, edited or deleted articles; ``changed`` are the ids whose text changed."""

    def __init__(self, changed: frozenset[str]) -> None:
        super().__init__()
        self.changed = changed


M = TypeVar("M", bound=Message)


class Broadcast:
    """The app's news for its screens: one typed ``Signal`` per kind of message above.

    Workers post these messages to the app; the app reacts, then publishes each one here. A screen that
    wants one subscribes in its ``on_mount`` (``app.broadcast.subscribe(self, AnnotationsChanged, ...)``)
    and is unsubscribed when it is removed; the app never needs to know which screens exist."""

    KINDS: tuple[type[Message], ...] = (CorpusLoaded, LoadProgress, IndexProgress, CorpusChanged, AnnotationsChanged)

    def __init__(self, owner: DOMNode) -> None:
        self._signals: dict[type[Message], Signal[Any]] = {kind: Signal(owner, kind.__name__) for kind in self.KINDS}

    def subscribe(self, node: DOMNode, kind: type[M], callback: Callable[[M], object]) -> None:
        self._signals[kind].subscribe(node, callback)

    def publish(self, message: Message) -> None:
        self._signals[type(message)].publish(message)


class Exporting:
    """A screen whose `e` exports what it shows: the app asks it for its ``ExportScope``."""

    def export_scope(self) -> "ExportScope":
        raise NotImplementedError


@dataclass(frozen=True)
class ExportScope:
    """What an export started from a screen preselects: its article, its tag filter, its annotator filter."""

    article: str | None = None
    tag: str | None = None
    annotator: str | None = None
