"""Messages the screens and the app exchange (the data itself lives in reader.session)."""

from __future__ import annotations

from textual.message import Message


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
