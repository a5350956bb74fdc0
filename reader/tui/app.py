"""The Textual application: it presents a reader.session.Session and owns no data rules."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen, Screen

from reader.display import paths_within
from reader.tui.config import Config, load_config
from reader.tui.keys import text_field_has_focus
from reader.tui.messages import (AnnotationsChanged, Broadcast, CorpusChanged, CorpusLoaded, Exporting, ExportScope,
                                 IndexProgress, LoadProgress)

if TYPE_CHECKING:
    from reader.corpus import Article, Corpus
    from reader.library import Library
    from reader.session import Outcome, Session

RETRY_SECONDS = 3.0
# A corpus this small is read before the first frame, so the list appears already filled; a larger
# one is read in a worker behind a progress bar.
LOAD_NOW_MAX_FILES = 200
# Another process's changes to the database or the corpus show within two seconds: folder stamps every
# half second, every file's stat every few ticks (an edit in place changes no folder).
POLL_SECONDS = 0.5
POLL_FILES_EVERY = 3


NOTICES_KEPT = 100
TOAST_WIDTH = 60  # Textual's Toast: width 60, max-width 50%, padding 1, a border on the left


@dataclass(frozen=True)
class Notice:
    """One message shown to the user as a toast."""

    title: str
    message: str
    severity: str


class ReaderApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "reader"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        # `q` goes back a screen (quits from the library, whose own `q` quits); `Q` quits from anywhere.
        Binding("Q", "quit", "Quit", id="app.quit", priority=True, show=False),
        Binding("q", "back_or_quit", "Back (quit from the library)", id="app.back", show=False),
        Binding("question_mark", "help", "Help", id="app.help", priority=True),
        Binding("ctrl+p", "command_palette", "Commands", id="app.palette", show=False),
        Binding("e", "export", "Export", id="app.export", show=False, priority=True),
        Binding("c", "codebook", "Codebook", id="app.codebook", show=False, priority=True),
        Binding("i", "statistics", "Statistics", id="app.statistics", show=False, priority=True),
    ]

    def __init__(self, corpus: Path, db: Path, *, config: Config | None = None, load_config_file: bool = True,
                 config_path: Path | None = None, state_path: Path | None = None) -> None:
        super().__init__()
        # where the settings chosen in the app are kept (reader.uistate); None: nothing is remembered
        self.state_path = state_path
        self._preview_wanted = True  # without a state file, the preview pane's toggle lasts this run
        self.corpus_root = Path(corpus)
        self.db_path = Path(db)
        # Until the session opens (its imports stay off the path to the first frame), the app keeps what
        # was loaded for the list; from then on the session owns it and `corpus`/`library` read through it.
        self._first_corpus: Corpus | None = None
        self._first_library: Library | None = None
        self._session: Session | None = None
        self._poll_ticks = 0
        self._check_folder = False
        self._attach_library = False
        self._cold_library: Library | None = None
        self._session_lock = threading.Lock()
        self.config = config if config is not None else (load_config(config_path) if load_config_file else Config())
        self.loaded = False
        self._retry_timer = None
        self._read_in_worker = False
        from reader.tui.text import ControlCharacters

        self._control_characters = ControlCharacters()
        self.broadcast = Broadcast(self)
        self.notices: list[Notice] = []
        # why the database cannot be written (found at start), until a save succeeds; screens show a line
        self.write_problem: str | None = None

    def notify(self, message, *, title: str = "", severity="information", timeout=None, markup: bool = True) -> None:
        """Textual's toast, and a record of it in ``notices`` (what the user was told, newest last).

        Paths in a plain message are shortened to fit the toast's line (``reader.display.paths_within``),
        so the toast wraps between words and never inside a file name."""
        if isinstance(message, Content) and not message.spans:
            message = Content(paths_within(message.plain, self.toast_width()))
        elif isinstance(message, str) and not markup:
            message = paths_within(message, self.toast_width())
        self.notices.append(Notice(title, str(message), severity))
        del self.notices[:-NOTICES_KEPT]
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def toast_width(self) -> int:
        """The cells of a toast's text line: Textual's toast is 60 wide, at most half the screen, less its
        border and padding (3)."""
        return max(20, min(TOAST_WIDTH, self.size.width // 2) - 3)

    def get_line_filters(self):
        """Textual's filters, then ours: no control character in user text ever reaches the terminal."""
        return [*super().get_line_filters(), self._control_characters]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `?` and `e` are priority bindings (reader.tui.keys): in a text field they are just text.
        if action in ("help", "export", "codebook", "statistics", "quit", "back_or_quit") and \
                text_field_has_focus(self.focused):
            return False
        return True

    def action_back_or_quit(self) -> None:
        """`q`: back one screen, as escape does there; from the last screen, quit."""
        screen = self.screen
        if isinstance(screen, ModalScreen):
            screen.dismiss(None)
        elif len(self.screen_stack) > 1:
            back = getattr(screen, "action_back", None)
            if back is not None:
                back()
            else:
                self.pop_screen()
        else:
            self.exit()

    @property
    def COMMANDS(self):  # type: ignore[override]  # our providers plus Textual's system commands
        from reader.tui.commands import PROVIDERS

        return App.COMMANDS | set(PROVIDERS)

    # --- start-up ------------------------------------------------------------------------------------
    # The first frame shows the article list; everything the list does not need (the annotation store,
    # anchoring, the search index) is imported and opened after that frame, in a worker.

    @property
    def session(self) -> Session:
        """The reading session, created on first use (its imports stay off the path to the first frame)."""
        with self._session_lock:
            if self._session is None:
                from reader.session import Session

                self._ensure_library()
                library = self._first_library
                self._session = Session(self.corpus_root, self.db_path, library=library,
                                        corpus=self._first_corpus if library is None else None,
                                        annotator=self.config.user)
                self._first_corpus = self._first_library = None  # the session's now
            return self._session

    @property
    def session_open(self) -> bool:
        return self._session is not None

    @property
    def library(self) -> Library | None:
        """The Library (catalogue, store, index) once there is one: the session's, once it is open."""
        session = self._session
        return session.library if session is not None else self._first_library

    @property
    def corpus(self) -> Corpus | None:
        """The corpus as it is now (the library's, or the one parsed for the first frame)."""
        session = self._session
        if session is not None:
            return session.current_corpus
        library = self._first_library
        return library.corpus if library is not None else self._first_corpus

    @property
    def articles(self) -> list[Article]:
        corpus = self.corpus
        return corpus.articles if corpus is not None else []

    def get_system_commands(self, screen: Screen):
        """Textual's commands but its "Keys" panel: "Keys and help" (`?`) lists this app's keys, with their ids."""
        return [command for command in super().get_system_commands(screen) if command.title != "Keys"]

    def get_default_screen(self) -> Screen:
        """The library is the app's base screen (not pushed over a blank one: that cost a frame).

        A small corpus is read here, before the screen mounts, so its first frame shows the list.
        """
        from reader.tui.screens.library import LibraryScreen

        self._read_in_worker = not self._load_small_corpus_now()
        return LibraryScreen()

    def on_mount(self) -> None:
        if self.state_path is not None:
            from reader import uistate

            chosen = uistate.theme(self.state_path)  # the theme picked in the app last time wins
            if chosen and chosen in self.available_themes:
                self.config.theme = chosen
            self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.config.theme:
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
            else:
                self.config.problems.append(f"unknown theme {self.config.theme!r} in {self.config.path}")
        if self.config.keys:
            self.set_keymap(self.config.keys)
        if self.config.tag_colors:
            from reader.tui import colors

            colors.set_config_colors(self.config.tag_colors)
        if self._read_in_worker:
            self.load_corpus()
        else:
            self.call_after_refresh(self.on_corpus_loaded, CorpusLoaded())
            if self._check_folder:
                self.call_after_refresh(self.check_folder)  # after the first frame: it stats every file
        for problem in self.config.problems:
            self.notify(Content(problem), title="Config", severity="warning", timeout=8)

    def _theme_changed(self, theme) -> None:
        from reader import uistate

        uistate.save(self.state_path, theme=theme.name)

    def save_library_state(self, settings: dict) -> None:
        """The library's sort, filter and cursor, for the next start (best effort)."""
        if self.state_path is not None:
            from reader import uistate

            uistate.save(self.state_path, corpus=self.corpus_root, library=settings)

    def preview_wanted(self) -> bool:
        """Whether the library shows its preview pane when there is room (the choice of `p`, kept)."""
        if self.state_path is None:
            return self._preview_wanted
        from reader import uistate

        return uistate.preview(self.state_path)

    def save_preview_wanted(self, wanted: bool) -> None:
        self._preview_wanted = wanted
        if self.state_path is not None:
            from reader import uistate

            uistate.save(self.state_path, preview=wanted)

    def library_state(self) -> dict:
        if self.state_path is None:
            return {}
        from reader import uistate

        return uistate.library(self.state_path, self.corpus_root)

    def _load_small_corpus_now(self) -> bool:
        from reader.corpus import CorpusError

        try:
            if not _more_files_than(self.corpus_root, LOAD_NOW_MAX_FILES):
                # A few files: parsing them costs less than opening the catalogue before the first frame;
                # the Library takes over right after it (_ensure_library).
                from reader.corpus import load_corpus

                self._first_corpus = load_corpus(self.corpus_root)
                self.loaded = True
                self._attach_library = True
                return True
            from reader.library import Library

            library = Library(self.corpus_root, self.db_path)
            if library.load_cached():
                # A warm start: the catalogue's list is in the first frame; a worker checks the folder next.
                self._set_library(library)
                self._check_folder = True
                return True
            self._cold_library = library
            return False
        except (CorpusError, OSError):
            return False  # the worker reports it the usual way

    def _ensure_library(self) -> None:
        """After a small corpus was parsed for the first frame, the Library (catalogue, store, index) takes over."""
        if self._first_library is not None or not self._attach_library:
            return
        self._attach_library = False
        from reader.library import Library

        try:
            library = Library(self.corpus_root, self.db_path)
            library.refresh()
        except Exception:  # the corpus read a moment ago: keep it; the session then works without caches
            return
        # (under the session lock, before the session exists: it is handed this library)
        self._first_library, self._first_corpus = library, None

    def _set_library(self, library: Library) -> None:
        """The Library is ready: the session's if one is open already (e.g. opened by a key during a cold
        load), else kept for the session to come."""
        with self._session_lock:
            if self._session is not None:
                self._session.attach_library(library)
            else:
                self._first_library, self._first_corpus = library, None
        self.loaded = True

    @work(thread=True, exclusive=True, group="load-corpus")
    def load_corpus(self) -> None:
        from reader.library import Library

        def progress(done: int, total: int) -> None:
            self.post_message(LoadProgress(done, total))

        try:
            library = self._cold_library or Library(self.corpus_root, self.db_path)
            library.refresh(progress=progress, snapshot=False)  # a cold start: every file is read once
        except Exception as exc:  # CorpusError and anything unreadable: say it, never crash
            self.post_message(CorpusLoaded(error=str(exc)))
            return
        self._cold_library = None
        self.call_from_thread(self._set_library, library)
        self.post_message(CorpusLoaded())
        library.catalogue.save_snapshot()  # after the list is shown: the next start lists from it

    @work(thread=True, exclusive=True, group="check-folder")
    def check_folder(self) -> None:
        """After a warm start: what changed in the folder while the app was closed."""
        library = self.library
        if library is None:
            return
        try:
            changes = library.refresh()
        except Exception as exc:  # CorpusError, a vanished folder: say it, keep the list
            self.call_from_thread(self.notify, Content(str(exc)), title="Cannot read the corpus", severity="error")
            return
        if changes:
            self.post_message(CorpusChanged(frozenset(changes.changed) | frozenset(changes.removed)))
            self.post_message(AnnotationsChanged(None))
            if self.session_open:
                self._update_index()

    def on_corpus_loaded(self, message: CorpusLoaded) -> None:
        self.loaded = message.error is None
        if message.error:
            self.notify(Content(message.error), title="Cannot open the corpus", severity="error", timeout=15)
        else:
            corpus = self.corpus
            if corpus is not None and corpus.skipped:
                names = ", ".join(s.id for s in corpus.skipped[:3]) + (" …" if len(corpus.skipped) > 3 else "")
                self.notify(Content(f"{len(corpus.skipped)} file(s) skipped: {names}"), severity="warning",
                            timeout=8)
            self.open_session()
        self._forward(message)

    @work(thread=True, exclusive=True, group="session")
    def open_session(self) -> None:
        """Open the store (checking every file), then build the search index, off the UI thread."""
        session = self.session
        problems = session.check_database()
        if problems:
            contained = any(name in problems[0] for name in session.store.damage)
            more = (" — only its article is read-only (shown from its last good backup if there is one); "
                    "run `reader doctor` for what to do." if contained else
                    " — new annotations are kept in memory and retried.")
            self.call_from_thread(self.notify, Content(problems[0] + more),
                                  title="Database problem", severity="error", timeout=20)
        unwritable = session.write_problem()
        if unwritable is not None:
            self.call_from_thread(self._announce_read_only, unwritable)
        self._load_codebook_colors()
        self.post_message(AnnotationsChanged(None))  # the list can now show counts and read marks
        if self.library is not None:
            self.library.title_ranker()  # prepared before the first keystroke of a title search
        try:
            if self.library is not None:
                self._update_index()
            else:
                session.index()
        except Exception as exc:  # pragma: no cover - shown, never raised at the user
            self.call_from_thread(self.notify, Content(f"search index failed: {exc}"), severity="error")
        if self.library is not None:
            self.call_from_thread(self._start_polling)

    def _announce_read_only(self, problem: str) -> None:
        """Said once at start, then shown as a line on the library and the reader until a save succeeds."""
        self.write_problem = problem
        self.notify(Content(f"{problem}.\nAnnotations will not be saved: changes stay in memory, are retried "
                            f"every {RETRY_SECONDS:g} s, and are written to a rescue file at quit."),
                    title="Read-only database", severity="warning", timeout=30)

    def _update_index(self) -> None:
        """Index what changed (everything on a cold start), reporting done/total to the screens."""
        assert self.library is not None
        reported = [0]

        def progress(done: int, total: int) -> None:
            if total and (done == total or done - reported[0] >= max(1, total // 100)):
                reported[0] = done
                self.post_message(IndexProgress(done, total))

        self.library.update_index(progress=progress)
        self.post_message(IndexProgress(1, 1))

    # --- live: another process changed the database or the corpus ------------------------------------

    def _start_polling(self) -> None:
        if self.library is not None and getattr(self, "_poll_timer", None) is None:
            self.library.poll()  # the baseline stamps
            self._poll_timer = self.set_interval(POLL_SECONDS, self._poll)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self) -> None:
        library = self.library
        if library is None:
            return
        self._poll_ticks += 1
        found = library.poll(files=self._poll_ticks % POLL_FILES_EVERY == 0)
        if found.changes:
            changed = frozenset(found.changes.changed) | frozenset(found.changes.removed)
            self.post_message(CorpusChanged(changed))
            self._update_index()
        if found.database or found.changes:
            self.post_message(AnnotationsChanged(None))

    def on_corpus_changed(self, message: CorpusChanged) -> None:
        self._forward(message)

    def on_index_progress(self, message: IndexProgress) -> None:
        self._forward(message)

    def _load_codebook_colors(self) -> None:
        from reader.codebook import Codebook, CodebookError
        from reader.tui import colors

        try:
            colors.set_codebook(Codebook.load(self.db_path))
        except CodebookError as exc:
            self.call_from_thread(self.notify, Content(str(exc)), title="Codebook", severity="warning", timeout=10)
        colors.set_known_tags(self.session.tag_counts())  # each of the corpus's tags its own colour

    def on_load_progress(self, message: LoadProgress) -> None:
        self._forward(message)

    def _forward(self, message: Any) -> None:
        """Tell the screens that subscribed (a screen not mounted yet reads fresh data in its on_mount)."""
        self.broadcast.publish(message)

    # --- saving --------------------------------------------------------------------------------------

    def report(self, outcome: Outcome | None, done: str) -> None:
        """Tell the user what became of a change; keep retrying the ones the store refused."""
        if outcome is None:
            return
        if outcome.saved:
            self.write_problem = None  # it can be written after all (the screens redraw for the change below)
            self.notify(Content(done), timeout=2.5)
        elif outcome.refused:
            self.notify(Content(f"Not saved: {outcome.error}"), title="Refused", severity="error", timeout=10)
            return
        else:
            self.notify(Content(f"{done} in memory only — not saved yet: {outcome.error}. "
                                f"Retrying every {RETRY_SECONDS:g} s."),
                        title="Not saved", severity="error", timeout=10)
            self._ensure_retry()
        from reader.tui import colors

        colors.add_known_tags(outcome.record.get("tags") or [])
        self.post_message(AnnotationsChanged(outcome.record.get("article")))

    def undo_delete(self) -> Outcome | None:
        """Put back the most recently deleted annotation (U / ctrl+z on any screen that deletes)."""
        outcome = self.session.undo()
        if outcome is None:
            self.notify(Content("Nothing to undo."), timeout=2)
        else:
            self.report(outcome, "Annotation restored")
        return outcome

    def _ensure_retry(self) -> None:
        if self._retry_timer is None:
            self._retry_timer = self.set_interval(RETRY_SECONDS, self._retry_pending)

    @work(thread=True, exclusive=True, group="retry")
    def _retry_pending(self) -> None:
        saved, error = self.session.retry_pending()
        if saved:
            self.call_from_thread(self._after_retry, saved, error)

    def _after_retry(self, saved: int, error: str | None) -> None:
        if not self.session.pending and self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None
        left = len(self.session.pending)
        if not left:
            self.write_problem = None
        text = f"Saved {saved} change(s) that were waiting" + (f"; {left} still waiting: {error}" if left else ".")
        self.notify(Content(text), severity="information" if not left else "warning")
        self.post_message(AnnotationsChanged(None))

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        self._forward(message)

    # --- navigation ----------------------------------------------------------------------------------

    def open_article(self, article_id: str, *, offset: int | None = None,
                     find_spans: list[tuple[int, int]] | None = None, find_label: str | None = None,
                     replace: bool = False, sequence: list[str] | None = None) -> None:
        """Open an article; ``sequence`` is the list it was picked from (as sorted and filtered on screen),
        which `]`/`[` and the "n/N" counter follow (default: every article)."""
        from reader.tui.screens.reader import ReaderScreen

        if self.session.article(article_id) is None:
            self.notify(Content(f"no article {article_id}"), severity="error")
            return
        screen = ReaderScreen(article_id, offset=offset, find_spans=find_spans, find_label=find_label,
                              sequence=sequence)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):  # `?` is a priority binding: it also closes help
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(self.screen))

    def action_export(self) -> None:
        """`e` on any screen: export, with what the screen shows preselected (``export_scope``)."""
        from reader.tui.screens.export import ExportScreen

        screen = self.screen
        if isinstance(screen, ExportScreen):
            return
        scope = screen.export_scope() if isinstance(screen, Exporting) else ExportScope()
        self.push_screen(ExportScreen(tag=scope.tag, article=scope.article, annotator=scope.annotator))

    def action_codebook(self) -> None:
        from reader.tui.screens.codebook import CodebookScreen

        if not isinstance(self.screen, (CodebookScreen, ModalScreen)):
            self.push_screen(CodebookScreen())

    def action_statistics(self) -> None:
        from reader.tui.screens.statistics import StatisticsScreen

        if not isinstance(self.screen, (StatisticsScreen, ModalScreen)):
            self.push_screen(StatisticsScreen())

    def filter_library_by_tag(self, tag: str) -> None:
        from reader.tui.screens.library import LibraryScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()
        if isinstance(self.screen, LibraryScreen):
            self.screen.set_tag_filter(tag)


def _more_files_than(root: Path, limit: int) -> bool:
    """Does the corpus hold more than ``limit`` article files? Stops counting there (a 100k folder costs
    no more than a small one); an unreadable folder counts as small (the load reports it)."""
    import os

    from reader.corpus import EXTENSIONS

    count = 0
    stack = [str(root)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.name.lower().endswith(EXTENSIONS):
                        count += 1
                        if count > limit:
                            return True
                    elif entry.is_dir():
                        stack.append(entry.path)
        except OSError:
            continue
    return False


def run(corpus: Path, db: Path, config: Path | None = None) -> int:
    import gc

    # Everything imported so far lives as long as the app: move it out of the collector's way, or the
    # first full collection (~25 ms here) lands in the middle of painting the first frame.
    gc.freeze()
    from reader import uistate

    app = ReaderApp(corpus, db, config_path=config, state_path=uistate.default_path())
    app.run()
    if not app.session.pending:
        return app.return_code or 0
    import sys

    app.session.retry_pending()
    pending = app.session.pending
    if not pending:
        return app.return_code or 0
    print(f"reader: {len(pending)} change(s) could not be saved to {db}: {pending[0].error}", file=sys.stderr)
    rescued = app.session.rescue_pending()
    if rescued is not None:
        print(f"reader: they were written to {rescued}; once the database is fixed, run: "
              f"reader import {rescued} --db {db}", file=sys.stderr)
    deleted = app.session.rescue_deletes()
    if deleted is not None:
        print(f"reader: unsaved deletions were written to {deleted}; once the database is fixed, run: "
              f"reader delete --from {deleted} --db {db}", file=sys.stderr)
    return 1
