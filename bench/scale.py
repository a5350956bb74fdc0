"""Benchmark the library at scale: TUI launch to the article list, cold and warm, against a bare Textual app;
library sort and filter in process.

    python bench/scale.py [--corpus /tmp/c10k ...] [--articles 10000 100000] [--runs 5] [--skip-sort]
                          [--skip-launch] [--store]

For each corpus (generated with ``../shared/bench-corpus.py --articles N`` into /tmp when not given):

* launch, in a private tmux server (bench/startup.py's harness), alternating runs of
  - bare: a Textual app showing one Static;
  - warm: ``reader CORPUS --db TMP/annotations.json`` with the catalogue and index already built;
  - cold: the same after deleting both caches (the list must come from parsing every file);
  ready when the header shows "N articles" (the list is filled);
* sort (``s``) and filter (title type-ahead, then the full-text search) on the library screen of a
  headless app (``App.run_test``): the time of each step's handler, median of a few; and, when
  ``CORPUS.needles.json`` is there, both filters over its first typo'd needles (p50 / p95);
* with ``--store``: bench/scale_store.py's save medians (100,000 annotations in one article and spread,
  beside TinyDB's default storage) and its import of 20,000 annotations into one article.

Prints the figures and ends with one JSON line (keys per corpus size).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import startup  # noqa: E402
from common import pct  # noqa: E402
from startup import BARE_APP, one_run  # noqa: E402

startup.TIMEOUT = 180.0  # a cold start at 100,000 articles parses every file

SHARED = ROOT.parent / "shared"
NEEDLE_QUERIES = 60  # of the needles beside the corpus, through both library filters


def corpus_for(articles: int) -> Path:
    out = Path(tempfile.gettempdir()) / f"reader-bench-c{articles}"
    if not Path(f"{out}.needles.json").exists():
        subprocess.run([sys.executable, str(SHARED / "bench-corpus.py"), str(out), "--articles", str(articles)],
                       check=True)
    return out


def drop_caches(db: Path) -> None:
    for name in ("library.sqlite", "library-index.sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db.parent / name}{suffix}").unlink(missing_ok=True)


def launch(corpus: Path, work: Path, runs: int) -> dict:
    db = work / "annotations" / "annotations.json"
    n = sum(1 for p in corpus.rglob("*") if p.suffix in (".txt", ".md"))
    marker = f"{n} articles"
    bare = work / "bare.py"
    bare.write_text(BARE_APP)
    reader = shutil.which("reader") or str(Path(sys.executable).with_name("reader"))
    command = f"{reader} {corpus} --db {db}"
    # build the caches once (a TUI run that waits for the index is what a user's first day does)
    subprocess.run([reader, "index", "--corpus", str(corpus), "--db", str(db)], check=True, capture_output=True)
    times: dict[str, list[float]] = {"bare": [], "warm": [], "cold": []}
    for k in range(runs + 1):
        b = one_run(f"{sys.executable} {bare}", "bare-app-ready", work)
        w = one_run(command, marker, work)
        drop_caches(db)
        c = one_run(command, marker, work)
        subprocess.run([reader, "index", "--corpus", str(corpus), "--db", str(db)], check=True, capture_output=True)
        if k:  # the first round warms the page cache and the interpreter's files
            times["bare"].append(b)
            times["warm"].append(w)
            times["cold"].append(c)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"  launch to the list ({n} articles, median of {runs}): bare {med['bare'] * 1000:.0f} ms, "
          f"warm {med['warm'] * 1000:.0f} ms ({med['warm'] / med['bare']:.2f}x), "
          f"cold {med['cold'] * 1000:.0f} ms ({med['cold'] / med['bare']:.2f}x)")
    return {"bare_ms": round(med["bare"] * 1000), "warm_ms": round(med["warm"] * 1000),
            "cold_ms": round(med["cold"] * 1000), "warm_x": round(med["warm"] / med["bare"], 2),
            "cold_x": round(med["cold"] / med["bare"], 2)}


def sort_and_filter(corpus: Path, work: Path, repeats: int = 3) -> dict:
    from reader.tui.app import ReaderApp
    from reader.tui.config import Config
    from reader.tui.screens.library import LibraryScreen

    db = work / "annotations" / "annotations.json"
    app = ReaderApp(corpus, db, config=Config())
    out: dict = {}

    async def go() -> None:
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(3000):
                if app.loaded and app.library is not None and app.library.index_ready and \
                        isinstance(app.screen, LibraryScreen) and app.screen.rows:
                    break
                await pilot.pause(0.05)
            screen = app.screen
            sorts = []
            for _ in range(repeats * 3):
                t = time.perf_counter()
                screen.action_cycle_sort()
                sorts.append(time.perf_counter() - t)
                await pilot.pause()
            async def filters(queries: list[str]) -> tuple[list[float], list[float]]:
                """Handler time of the title type-ahead and of the full-text filter (200 hits), per query."""
                titles, full = [], []
                for query in queries:
                    t = time.perf_counter()
                    screen.search_text = query
                    screen._show_hits(query, app.library.search_titles(query))
                    titles.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    screen._show_hits(query, app.session.index().search(query, limit=200))
                    full.append(time.perf_counter() - t)
                    await pilot.pause()
                return titles, full

            queries = ["azerbaijan minister", "foreign policy", "health"]
            titles, full = await filters(queries)
            for query, t_ms, f_ms in zip(queries, titles, full):
                print(f"    {query!r}: title filter {t_ms * 1000:.1f} ms, full-text filter {f_ms * 1000:.1f} ms")
            out.update(sort_ms=round(statistics.median(sorts) * 1000, 1),
                       title_filter_ms=round(statistics.median(titles) * 1000, 1),
                       search_filter_ms=round(statistics.median(full) * 1000, 1))
            # the same two filters over the corpus's typo'd needles, when bench-corpus.py wrote them
            needles = Path(f"{corpus}.needles.json")
            if needles.is_file():
                queries = [n["query"] for n in json.loads(needles.read_text())][:NEEDLE_QUERIES]
                for name, times in zip(("title", "search"), await filters(queries)):
                    out[f"{name}_filter_needles_p50_ms"] = round(statistics.median(times) * 1000, 1)
                    out[f"{name}_filter_needles_p95_ms"] = round(pct(times, 0.95) * 1000, 1)

    asyncio.run(go())
    print(f"  library sort {out['sort_ms']} ms, title filter {out['title_filter_ms']} ms, "
          f"full-text filter {out['search_filter_ms']} ms (handler time, median)")
    if "search_filter_needles_p95_ms" in out:
        print(f"  over {NEEDLE_QUERIES} needles: title filter p50 {out['title_filter_needles_p50_ms']} / p95 "
              f"{out['title_filter_needles_p95_ms']} ms, full-text filter p50 {out['search_filter_needles_p50_ms']}"
              f" / p95 {out['search_filter_needles_p95_ms']} ms")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, action="append", help="a corpus folder (repeat); default: generated")
    ap.add_argument("--articles", type=int, nargs="*", default=[10000, 100000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-sort", action="store_true")
    ap.add_argument("--skip-launch", action="store_true",
                    help="only the library sort and filter (no tmux launches)")
    ap.add_argument("--store", action="store_true",
                    help="also run bench/scale_store.py (saves with 100,000 annotations in one article and "
                         "spread, beside TinyDB's default storage; an import of 20,000) and include its figures")
    args = ap.parse_args()
    corpora = args.corpus or [corpus_for(n) for n in args.articles]
    results = {}
    for corpus in corpora:
        work = Path(tempfile.mkdtemp(prefix="reader-bench-scale-"))
        try:
            print(f"{corpus}:")
            if args.skip_launch:  # the caches a launch run leaves behind, built the same way
                result = {}
                subprocess.run([shutil.which("reader") or str(Path(sys.executable).with_name("reader")), "index",
                                "--corpus", str(corpus), "--db", str(work / "annotations" / "annotations.json")],
                               check=True, capture_output=True)
            else:
                result = launch(corpus, work, args.runs)
            if not args.skip_sort:
                result.update(sort_and_filter(corpus, work))
            results[corpus.name] = result
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if args.store:
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "scale_store.py")], check=True,
                             capture_output=True, text=True).stdout
        print(out, end="")
        results["store"] = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
