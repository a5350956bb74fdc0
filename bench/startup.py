"""Benchmark start-up in a real terminal: `reader` to its article list, against a bare Textual app.

    python bench/startup.py [--runs 15] [--corpus seeds] [--marker "Chinese Ambassador"] [--ablations] [--no-diagnostics]

Each run starts a fresh private tmux server (120x36) with either

- reader: `reader <temp copy of the corpus> --db <temp db>` — ready when the marker (the title of
  one seed article) shows in `tmux capture-pane -p`;
- bare:   a temp script with an `App` whose compose yields `Static("bare-app-ready")`, run with
  this same Python — ready when "bare-app-ready" shows;

and measures the wall time from just before the process is started to the first capture that
shows the marker (polled every ~5 ms). Runs alternate reader / bare; one warm-up of each is
discarded. Prints median / min / p90 of each and the ratio of the medians (reader / bare), then
diagnostics: in-process import times, the largest `-X importtime` entries, and the core's own
start-up steps (corpus load, store, search index) timed without a terminal.

Nothing is asserted: the numbers are printed. Temp files and tmux servers are removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

from common import pct

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 120, 36
POLL = 0.005
TIMEOUT = 30.0

BARE_APP = textwrap.dedent(
    """
    from textual.app import App, ComposeResult
    from textual.widgets import Static


    class Bare(App):
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Static("bare-app-ready")


    if __name__ == "__main__":
        Bare().run()
    """
)


class Server:
    """One private tmux server (never the default socket)."""

    def __init__(self) -> None:
        self.socket = f"reader-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "TERM": "xterm-256color"}
        self.env.pop("TMUX", None)

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              env=self.env, check=check, timeout=30)

    def capture(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main", check=False).stdout

    def pane_dead(self) -> bool:
        out = self.tmux("display-message", "-p", "-t", "main", "#{pane_dead}", check=False)
        return out.stdout.strip() == "1"

    def socket_path(self) -> Path:
        base = os.environ.get("TMUX_TMPDIR") or "/tmp"
        return Path(base) / f"tmux-{os.getuid()}" / self.socket

    def kill(self) -> None:
        self.tmux("kill-server", check=False)
        # tmux leaves the socket file behind; it is ours (a unique name), so remove it.
        try:
            self.socket_path().unlink()
        except OSError:
            pass


def one_run(command: str, marker: str, cwd: Path) -> float:
    """Seconds from just before starting `command` to the first screen that shows `marker`."""
    server = Server()
    try:
        # Start the server first (an idle shell session) so that its own start-up is not measured.
        server.tmux("new-session", "-d", "-s", "idle", "-x", str(WIDTH), "-y", str(HEIGHT), "cat")
        server.tmux("set-option", "-g", "remain-on-exit", "on")
        start = time.perf_counter()
        server.tmux("new-session", "-d", "-s", "main", "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(cwd),
                    command)
        deadline = start + TIMEOUT
        screen = ""
        while True:
            screen = server.capture()
            now = time.perf_counter()
            if marker in screen:
                elapsed = now - start
                break
            if now > deadline:
                raise RuntimeError(f"timed out waiting for {marker!r}; the screen was:\n{screen}")
            time.sleep(POLL)
        server.tmux("send-keys", "-t", "main", "q", check=False)
        quit_by = time.perf_counter() + 5
        while time.perf_counter() < quit_by and not server.pane_dead():
            time.sleep(0.01)
        return elapsed
    finally:
        server.kill()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


IMPORT_STEPS = (
    ("textual.app", "import textual.app"),
    ("textual.widgets.Static (bare app done)", "from textual.widgets import Static"),
    ("reader.cli (the `reader` command)", "import reader.cli"),
    ("reader.corpus", "import reader.corpus"),
    ("reader.tui.app (the rest)", "import reader.tui.app"),
    ("textual DataTable", "from textual.widgets import DataTable"),
    ("textual Input", "from textual.widgets import Input"),
    ("textual Footer", "from textual.widgets import Footer"),
    ("reader.tui.screens.library (the rest)", "import reader.tui.screens.library"),
    ("-- after first paint: reader.store (tinydb, filelock, orjson)", "import reader.store"),
    ("-- after first paint: reader.anchoring (rapidfuzz)", "import reader.anchoring"),
    ("-- after first paint: reader.session", "import reader.session"),
    ("-- after first paint: reader.search.index", "import reader.search.index"),
    ("-- large corpus only: textual ProgressBar", "from textual.widgets import ProgressBar"),
    ("-- on open: textual OptionList", "from textual.widgets import OptionList"),
    ("-- on open: reader.tui.screens.reader", "import reader.tui.screens.reader"),
)


def import_steps(runs: int) -> None:
    """Incremental import cost of each step, in order, in fresh interpreters (median of `runs`)."""
    code = "import time, json\nout = []\n"
    for label, statement in IMPORT_STEPS:
        code += f"t = time.perf_counter()\n{statement}\nout.append(time.perf_counter() - t)\n"
    code += "print(json.dumps(out))\n"
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        samples.append(__import__("json").loads(out.stdout))
    print(f"\nincremental import cost, in this order, fresh interpreter (median of {runs}):")
    bare_total = 0.0
    reader_total = 0.0
    for index, (label, _) in enumerate(IMPORT_STEPS):
        value = statistics.median(s[index] for s in samples)
        if index < 2:
            bare_total += value
        if not label.startswith("--"):
            reader_total += value
        print(f"  {label:44} {value * 1000:7.1f} ms")
    print(f"  {'=> what the bare app imports':44} {bare_total * 1000:7.1f} ms")
    print(f"  {'=> what reader imports before its list':44} {reader_total * 1000:7.1f} ms "
          f"(+{(reader_total - bare_total) * 1000:.1f} ms)")


def importtime_top(module: str) -> list[tuple[int, int, str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                         text=True, check=True, cwd=ROOT).stderr
    rows = []
    for line in out.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative, name = line[len("import time:"):].split("|", 2)
        rows.append((int(cumulative), int(self_us), name.rstrip()))
    return rows


def import_diagnostics(runs: int) -> None:
    print("\n-- where start-up time goes (diagnostics) --")
    import_steps(runs)
    rows = importtime_top("reader.cli, reader.tui.app, reader.tui.screens.library")
    print("\npython -X importtime -c 'import reader.cli, reader.tui.app, reader.tui.screens.library'"
          " — top 10 by cumulative time (one run):")
    print(f"  {'cumulative':>11} {'self':>9}  module")
    for cumulative, self_us, name in sorted(rows, reverse=True)[:10]:
        print(f"  {cumulative / 1000:8.1f} ms {self_us / 1000:6.1f} ms  {name}")
    print("  top 8 by self time:")
    for self_us, cumulative, name in sorted(((s, c, n) for c, s, n in rows), reverse=True)[:8]:
        print(f"  {cumulative / 1000:8.1f} ms {self_us / 1000:6.1f} ms  {name.strip()}")


# A copy of the real start-up with milestones: the app's own methods wrapped (reader/ is not modified).
TRACE_APP = textwrap.dedent(
    """
    import functools, os, sys, time
    T0 = float(os.environ["BENCH_T0"])
    marks = []

    def mark(what):
        marks.append((what, time.time() - T0))

    mark("interpreter running")
    import textual.app
    mark("textual.app imported")
    from reader.cli import main  # the console script's entry point: what `reader` runs
    from reader.tui import app as rapp
    from reader.tui.screens import library as lib
    import reader.session as session_mod
    mark("reader.cli + reader.tui.app + library imported")

    def wrap(cls, name, label, after=True):
        f = getattr(cls, name)

        @functools.wraps(f)
        def w(self, *a, **k):
            if not after:
                mark(label)
            r = f(self, *a, **k)
            if after:
                mark(label)
            return r
        setattr(cls, name, w)

    wrap(rapp.ReaderApp, "on_mount", "ReaderApp.on_mount done", after=False)
    wrap(lib.LibraryScreen, "on_mount", "LibraryScreen mounted")
    wrap(rapp.ReaderApp, "_load_small_corpus_now", "corpus read, or its catalogue (before the first frame)")
    wrap(rapp.ReaderApp, "on_corpus_loaded", "CorpusLoaded handled on the main thread")
    wrap(session_mod.Session, "index", "search index built (worker thread)")
    wrap(lib.LibraryScreen, "_set_rows", "rows put in the DataTable")
    first = {"screen": False, "rows": False}
    orig_display = textual.app.App._display

    def _display(self, screen, renderable):
        r = orig_display(self, screen, renderable)
        if isinstance(screen, lib.LibraryScreen):
            if not first["screen"]:
                first["screen"] = True
                mark("first frame of the library written")
            if not first["rows"] and getattr(screen, "rows", None):
                first["rows"] = True
                mark("first frame with the rows written")
        return r

    textual.app.App._display = _display
    orig_exit = textual.app.App.exit

    def on_exit():
        with open(os.environ["BENCH_TRACE"], "w") as fh:
            for what, t in marks:
                fh.write(f"{t!r}\\t{what}\\n")

    import atexit
    atexit.register(on_exit)
    sys.argv[0] = "reader"
    sys.exit(main())
    """
)


def trace_diagnostics(corpus: Path, tmp: Path, marker: str, runs: int) -> None:
    script = tmp / "trace_app.py"
    script.write_text(TRACE_APP, encoding="utf-8")
    per_mark: dict[str, list[float]] = {}
    order: list[str] = []
    for index in range(runs + 1):
        trace = tmp / f"trace-{index}.tsv"
        server = Server()
        try:
            server.tmux("new-session", "-d", "-s", "idle", "-x", str(WIDTH), "-y", str(HEIGHT), "cat")
            start = time.time()
            command = (f"env BENCH_T0={start!r} BENCH_TRACE={shlex_quote(str(trace))} "
                       f"{shlex_quote(sys.executable)} {shlex_quote(str(script))} {shlex_quote(str(corpus))} "
                       f"--db {shlex_quote(str(tmp / f'trace-db-{index}.json'))}")
            server.tmux("new-session", "-d", "-s", "main", "-x", str(WIDTH), "-y", str(HEIGHT), command)
            deadline = time.perf_counter() + TIMEOUT
            while marker not in server.capture():
                if time.perf_counter() > deadline:
                    raise RuntimeError("trace run: timed out")
                time.sleep(POLL)
            seen = time.time() - start
            server.tmux("send-keys", "-t", "main", "q", check=False)
            quit_by = time.perf_counter() + 5
            while time.perf_counter() < quit_by and not trace.exists():
                time.sleep(0.01)
            time.sleep(0.05)
        finally:
            server.kill()
        if index == 0 or not trace.exists():
            continue
        lines = [line.split("\t", 1) for line in trace.read_text().splitlines() if "\t" in line]
        lines.append((repr(seen), "marker seen by capture-pane"))
        for t, what in lines:
            if what not in per_mark:
                per_mark[what] = []
                order.append(what)
            per_mark[what].append(float(t))
    print(f"\nstart-up timeline of the real app in tmux (median of {runs}; ms since the process was started):")
    previous = 0.0
    for what in sorted(order, key=lambda w: statistics.median(per_mark[w])):
        value = statistics.median(per_mark[what])
        print(f"  {value * 1000:7.1f} ms  (+{(value - previous) * 1000:5.1f})  {what}")
        previous = value


def core_diagnostics(corpus: Path, runs: int) -> None:
    """The core steps the app runs after mount, without a terminal, in a fresh interpreter."""
    code = textwrap.dedent(
        f"""
        import shutil, statistics, tempfile, time
        from pathlib import Path
        from reader.corpus import load_corpus
        from reader.session import Session
        corpus = Path({str(corpus)!r})
        rows = {{"Session() (store open)": [], "load_corpus()": [], "check_database()": [],
                "counts() + get_state() per article": [], "session.index() (search index)": []}}
        for _ in range({runs}):
            tmp = Path(tempfile.mkdtemp(prefix="reader-bench-core-"))
            try:
                t = time.perf_counter(); s = Session(corpus, tmp / "db.json")
                rows["Session() (store open)"].append(time.perf_counter() - t)
                t = time.perf_counter(); s.corpus = load_corpus(corpus); rows["load_corpus()"].append(time.perf_counter() - t)
                t = time.perf_counter(); s.check_database(); rows["check_database()"].append(time.perf_counter() - t)
                t = time.perf_counter(); s.counts(); [s.get_state(a.id) for a in s.articles]
                rows["counts() + get_state() per article"].append(time.perf_counter() - t)
                t = time.perf_counter(); s.index()
                rows["session.index() (search index)"].append(time.perf_counter() - t)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        for k, v in rows.items():
            print(f"  {{k:38}} median {{statistics.median(v) * 1000:7.2f}} ms  (first run {{v[0] * 1000:.2f}} ms)")
        """
    )
    print(f"\ncore start-up steps on a copy of the corpus (in-process, {runs} runs, no terminal; "
          f"first run includes lazy imports):")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    print(out.stdout.rstrip() or out.stderr.rstrip())


ABLATION_APP = textwrap.dedent(
    """
    import os, sys
    variant = os.environ["BENCH_VARIANT"]
    if variant == "bare+imports":
        import reader.cli, reader.tui.app, reader.tui.screens.library  # noqa: F401  what reader imports
        sys.argv[1:] = []
        exec(open(os.environ["BENCH_BARE"]).read(), {"__name__": "__main__"})
        raise SystemExit
    from reader.cli import main
    from reader.tui import app as rapp
    if variant == "reader, session opened 2 s later":
        # the store, anchoring and the search index are opened after the first frame anyway; this
        # shows whether that worker still competes with the first paint
        open_session = rapp.ReaderApp.open_session
        rapp.ReaderApp.open_session = lambda self: self.set_timer(2.0, lambda: open_session(self))
    sys.argv[0] = "reader"
    sys.exit(main())
    """
)


def ablations(corpus: Path, tmp: Path, bare: Path, reader_cmd: list[str], args) -> None:
    """Variants that each remove one suspect; alternated with the real app and the bare app."""
    script = tmp / "ablation_app.py"
    script.write_text(ABLATION_APP, encoding="utf-8")
    runs = max(5, args.runs // 2)
    variants = ["bare", "bare+imports", "reader", "reader, session opened 2 s later"]
    results: dict[str, list[float]] = {v: [] for v in variants}
    print(f"\nablations ({runs} runs each after a warm-up, alternating; monkeypatched copies, reader/ untouched):")
    for index in range(runs + 1):
        for variant in variants:
            db = shlex_quote(str(tmp / f"ablation-db-{index}-{len(results[variant])}-{variants.index(variant)}.json"))
            if variant == "bare":
                command, marker = f"{shlex_quote(sys.executable)} {shlex_quote(str(bare))}", "bare-app-ready"
            elif variant == "reader":
                command = " ".join(shlex_quote(p) for p in reader_cmd) + f" {shlex_quote(str(corpus))} --db {db}"
                marker = args.marker
            else:
                command = (f"env BENCH_VARIANT={shlex_quote(variant)} BENCH_BARE={shlex_quote(str(bare))} "
                           f"{shlex_quote(sys.executable)} {shlex_quote(str(script))} {shlex_quote(str(corpus))} "
                           f"--db {db}")
                marker = "bare-app-ready" if variant.startswith("bare") else args.marker
            elapsed = one_run(command, marker, tmp)
            if index:
                results[variant].append(elapsed)
    bare_median = statistics.median(results["bare"])
    for variant in variants:
        value = statistics.median(results[variant])
        print(f"  {variant:34} median {ms(value)}  min {ms(min(results[variant]))}  / bare {value / bare_median:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs of each app (default 15)")
    parser.add_argument("--corpus", default="seeds", help="corpus folder, relative to the repo or absolute")
    parser.add_argument("--marker", default="Chinese Ambassador",
                        help="text whose appearance means the article list is shown")
    parser.add_argument("--ablations", action="store_true",
                        help="also time variants that show where the gap comes from (monkeypatched, reader/ untouched)")
    parser.add_argument("--no-diagnostics", action="store_true", help="skip the import/core diagnostics")
    args = parser.parse_args()

    if shutil.which("tmux") is None:
        sys.exit("tmux is not installed (apt-get install -y tmux)")
    reader_bin = shutil.which("reader")
    source = Path(args.corpus)
    if not source.is_absolute():
        source = ROOT / source
    if not source.is_dir():
        sys.exit(f"no corpus folder {source}")

    # Byte-compile the package first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (as on some
    # machines) an editable install would otherwise recompile every reader module on every launch, while
    # Textual's own modules were compiled when pip installed them.
    import compileall

    compileall.compile_dir(str(ROOT / "reader"), quiet=1)
    print(f"bytecode: reader/ byte-compiled before timing (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})")

    import textual

    print(f"Python {sys.version.split()[0]} ({sys.executable}); Textual {textual.__version__}; "
          f"terminal {WIDTH}x{HEIGHT} in tmux {subprocess.run(['tmux', '-V'], capture_output=True, text=True).stdout.strip()}")

    tmp = Path(tempfile.mkdtemp(prefix="reader-bench-startup-"))
    try:
        corpus = tmp / "corpus"
        shutil.copytree(source, corpus)
        bare = tmp / "bare_app.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        # Same interpreter for both. The `reader` console script is what users run; fall back to -m.
        reader_cmd = [reader_bin] if reader_bin else [sys.executable, "-m", "reader"]
        print(f"reader command: {' '.join(reader_cmd)} <corpus> --db <tmp db>; corpus {source} "
              f"({sum(1 for _ in corpus.rglob('*') if _.is_file())} files)")

        results: dict[str, list[float]] = {"reader": [], "bare": []}
        for index in range(args.runs + 1):
            for kind in ("reader", "bare"):
                if kind == "reader":
                    db = tmp / f"db-{index}.json"
                    command = " ".join(shlex_quote(p) for p in [*reader_cmd, str(corpus), "--db", str(db)])
                    marker = args.marker
                else:
                    command = f"{shlex_quote(sys.executable)} {shlex_quote(str(bare))}"
                    marker = "bare-app-ready"
                elapsed = one_run(command, marker, tmp)
                if index > 0:  # the first of each is a warm-up
                    results[kind].append(elapsed)
                print(f"  run {index:2}{' (warm-up)' if index == 0 else '          '} {kind:6} {ms(elapsed)}",
                      flush=True)

        print(f"\nlaunch to first screen showing the marker, {args.runs} runs each (warm-up discarded):")
        print(f"  {'':8} {'median':>10} {'min':>10} {'p90':>10}")
        for kind, values in results.items():
            print(f"  {kind:8} {ms(statistics.median(values)):>10} {ms(min(values)):>10} {ms(pct(values, 0.9)):>10}")
        ratio = statistics.median(results["reader"]) / statistics.median(results["bare"])
        print(f"  ratio of medians reader / bare: {ratio:.2f}  (goal: <= 1.3)")

        if args.ablations:
            ablations(corpus, tmp, bare, reader_cmd, args)
        if not args.no_diagnostics:
            trace_diagnostics(corpus, tmp, args.marker, runs=5)
            import_diagnostics(runs=7)
            core_diagnostics(corpus, runs=5)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


if __name__ == "__main__":
    main()
