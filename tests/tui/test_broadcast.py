"""The app tells screens the news through typed signals: subscribers hear it, removed screens do not."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from reader.tui.messages import AnnotationsChanged, Broadcast, CorpusChanged, Exporting, ExportScope


class Listener(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.heard: list[object] = []

    def on_mount(self) -> None:
        self.app.broadcast.subscribe(self, AnnotationsChanged, self.heard.append)


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.broadcast = Broadcast(self)


async def test_subscribers_hear_their_kind_only_and_removed_screens_nothing() -> None:
    app = Host()
    async with app.run_test() as pilot:
        first = Listener()
        await app.push_screen(first)
        second = Listener()
        await app.push_screen(second)
        news = AnnotationsChanged("a.txt")
        app.broadcast.publish(news)
        app.broadcast.publish(CorpusChanged(frozenset({"b.txt"})))  # nobody listens: nothing happens
        await pilot.pause()
        assert first.heard == [news] and second.heard == [news]    # the screen underneath hears it too
        await app.pop_screen()
        await pilot.pause()
        app.broadcast.publish(AnnotationsChanged(None))
        await pilot.pause()
        assert len(first.heard) == 2 and len(second.heard) == 1


def test_a_screen_that_exports_says_what() -> None:
    class Shows(Exporting):
        def export_scope(self) -> ExportScope:
            return ExportScope(article="a.txt", tag="policy")

    assert Shows().export_scope() == ExportScope(article="a.txt", tag="policy", annotator=None)
