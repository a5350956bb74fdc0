"""Live refresh: another process (here another store instance, or a file written to the corpus) changes
things and the running app shows it without a keystroke."""

from __future__ import annotations

from reader.library import Library
from reader.store import AnnotationStore
from reader.tui.screens.reader import ReaderScreen
from reader.tui.widgets.article_view import ArticleView
from tests.helpers import wait_loaded, wait_until
from tests.helpers import A003, SIZE, open_003, rows


def count_cell(app, article_id: str) -> str:
    table = app.screen.query_one("#articles")
    return str(table.get_cell(article_id, "notes"))


async def test_another_writer_shows_in_the_list_and_the_open_article(make_app, db_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: getattr(app, "_poll_timer", None) is not None)
        assert count_cell(app, A003) == "·"
        other = AnnotationStore(db_path)  # a second process's store
        text = app.session.article(A003).text
        start = text.index("Guo Min")
        other.add(article=A003, start=start, end=start + 7, quote="Guo Min", tags=["people"])
        await wait_until(pilot, lambda: count_cell(app, A003) == "1", tries=300)

        await open_003(pilot)
        view = app.screen.query_one(ArticleView)
        assert len(app.screen.placed) == 1
        second = text.index("Guo Min", start + 1)
        other.add(article=A003, start=second, end=second + 7, quote="Guo Min", tags=["people"])
        await wait_until(pilot, lambda: len(app.screen.placed) == 2, tries=300)
        assert isinstance(app.screen, ReaderScreen) and view.is_mounted


async def test_a_new_file_in_the_corpus_appears_and_is_searchable(make_app, seeds_copy):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: getattr(app, "_poll_timer", None) is not None)
        (seeds_copy / "new_article.txt").write_text("Quokka census\n\nRottnest island counted its quokkas.\n",
                                                    encoding="utf-8")
        await wait_until(pilot, lambda: "new_article.txt" in rows(app), tries=300)
        await wait_until(pilot, lambda: app.library.index_ready)
        assert [h.article for h in app.library.search("quokas census")][:1] == ["new_article.txt"]
        (seeds_copy / "new_article.txt").unlink()
        await wait_until(pilot, lambda: "new_article.txt" not in rows(app), tries=300)


async def test_cold_start_lists_from_the_catalogue_and_a_warm_one_reads_nothing(make_app, seeds_copy, db_path,
                                                                               monkeypatch):
    import reader.tui.app as app_module

    monkeypatch.setattr(app_module, "LOAD_NOW_MAX_FILES", 0)  # the large-corpus path, with five files
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.library is not None and app.library.index_ready)
    assert (db_path.parent / "library.sqlite").exists()
    from reader import corpus as corpus_module

    read: list[str] = []
    real = corpus_module._load_one
    monkeypatch.setattr(corpus_module, "_load_one", lambda root, i: read.append(i) or real(root, i))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert len(rows(app)) == 5
    assert read == []
    assert isinstance(app.library, Library)


async def test_a_warm_start_lists_the_catalogue_then_picks_up_what_changed_while_closed(make_app, seeds_copy,
                                                                                       monkeypatch):
    import reader.tui.app as app_module

    monkeypatch.setattr(app_module, "LOAD_NOW_MAX_FILES", 0)  # take the large-corpus path with five files
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.library is not None and app.library.index_ready)
    path = seeds_copy / A003
    path.write_text("Edited while closed\n\nA brand new body about wombats.\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: app.session.article(A003).title == "Edited while closed", tries=300)
        await wait_until(pilot, lambda: app.library.index_ready)
        assert [h.article for h in app.library.search("wombats")][:1] == [A003]
