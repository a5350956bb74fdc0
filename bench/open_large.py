"""Benchmark a 20 MB article in the real app: open it, then move around in it.

    python bench/open_large.py [--mb 20] [--opens 5] [--presses 40] [--word the]

Builds a temporary corpus: the bundled seeds plus one news-like article of about `--mb` megabytes
(the seeds' paragraphs shuffled, numbered and lightly varied). Then, in `ReaderApp(corpus, db,
config=Config())` under `app.run_test(size=(160, 48))`:

- open: `app.open_article(big_id)` until the ReaderScreen is mounted and its ArticleView has laid
  out and rendered (`visual_line_count` > 0, then one more pause); escape back between runs; median;
- keys: `pilot.press(key)` + `pilot.pause()` per key (`j`, `k`, `space`, `G`/`g` alternating, `w`, `n`, `N`, and find:
  `/`, the word typed one key at a time, enter), median and p95, raw and minus the pilot's own
  round trip for an unbound key (`f12`); wall time and CPU time (process_time) for each;
- core: `load_corpus` on the folder, `find_in_text` for a common word on the big text (exact, as
  typed, and fuzzy, as on enter), and `fold` of the big text (what every find call starts with).

Numbers are printed, nothing is asserted. The temp folder is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import textual

from common import SEEDS, build_article, ms, pct, timed
from reader.corpus import load_corpus
from reader.search.find import find_in_text
from reader.search.text import fold
from reader.tui.app import ReaderApp
from reader.tui.config import Config
from reader.tui.screens.reader import ReaderScreen
from reader.tui.widgets.article_view import ArticleView

SIZE = (160, 48)
BIG_NAME = "zz_big_article.txt"


async def poll_until(predicate, timeout: float = 60.0) -> None:
    """Yield to the event loop every millisecond until `predicate()` holds (finer than pilot.pause)."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.001)


async def press_times(pilot, keys: list[str], presses: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (process_time, all threads) seconds of `pilot.press(key)` + `pilot.pause()`."""
    wall, cpu = [], []
    for index in range(presses):
        start, start_cpu = time.perf_counter(), time.process_time()
        await pilot.press(keys[index % len(keys)])
        await pilot.pause()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def reader_ready(app, article_id: str) -> bool:
    screen = app.screen
    return (isinstance(screen, ReaderScreen) and screen.article_id == article_id and screen.is_mounted
            and screen.query_one(ArticleView).visual_line_count > 0)


async def bench_app(corpus: Path, db: Path, big_id: str, args) -> None:
    start = time.perf_counter()
    app = ReaderApp(corpus, db, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await poll_until(lambda: app.loaded)
        print(f"\napp: corpus loaded (app.loaded) {ms(time.perf_counter() - start)} after ReaderApp() "
              f"(load_corpus runs in a worker thread)")
        index_start = time.perf_counter()
        await poll_until(lambda: app.session._index is not None, timeout=300)
        await app.workers.wait_for_complete()
        print(f"app: search index worker done {ms(time.perf_counter() - index_start)} after that")
        await pilot.pause()

        # pilot.pause() on an idle app: the floor under every "+ pause" figure below
        idle = []
        for _ in range(10):
            t = time.perf_counter()
            await pilot.pause()
            idle.append(time.perf_counter() - t)
        pause_floor = statistics.median(idle)

        # --- open -------------------------------------------------------------------------------------
        seed_id = next(a.id for a in app.session.articles if a.id != big_id)
        results: dict[str, dict[str, list[float]]] = {big_id: {"ready": [], "paused": []},
                                                      seed_id: {"ready": [], "paused": []}}
        big_lines = 0
        for run in range(args.opens):
            for article_id in (big_id, seed_id):
                await pilot.pause()
                start = time.perf_counter()
                app.open_article(article_id)
                await poll_until(lambda: reader_ready(app, article_id))
                ready = time.perf_counter() - start
                await pilot.pause()
                paused = time.perf_counter() - start
                results[article_id]["ready"].append(ready)
                results[article_id]["paused"].append(paused)
                if article_id == big_id:
                    big_lines = app.screen.query_one(ArticleView).visual_line_count
                await pilot.press("escape")
                await poll_until(lambda: not isinstance(app.screen, ReaderScreen))
            print(f"  open run {run + 1}: big {ms(results[big_id]['paused'][-1])}   "
                  f"seed {ms(results[seed_id]['paused'][-1])}", flush=True)
        print(f"open (app.open_article → ReaderScreen mounted and laid out, polled every 1 ms; "
              f"then + one pilot.pause(), whose floor on an idle app is {ms(pause_floor).strip()}):")
        for label, article_id in ((f"{args.mb:g} MB article", big_id), ("seed article", seed_id)):
            r = results[article_id]
            print(f"  {label:14} laid out: median {ms(statistics.median(r['ready']))}   "
                  f"+ pause: median {ms(statistics.median(r['paused']))}  min {ms(min(r['paused']))}  "
                  f"max {ms(max(r['paused']))}")
        print(f"  ({big_lines:,} visual rows at {SIZE[0]}x{SIZE[1]}; goal: the big one under 1 s)")

        # --- keys -------------------------------------------------------------------------------------
        app.open_article(big_id)
        await poll_until(lambda: reader_ready(app, big_id))
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(ArticleView)
        text_len = len(view.text)

        baseline, baseline_cpu = await press_times(pilot, ["f12"], args.presses)
        base, base_cpu = statistics.median(baseline), statistics.median(baseline_cpu)
        print(f"\nkeys in the {args.mb:g} MB article: pilot.press(key) + pilot.pause(); wall and CPU time "
              f"(process_time), raw and minus the unbound key f12")
        print(f"  f12 (unbound; the pilot's own idle wait): wall median {ms(base)} p95 {ms(pct(baseline, 0.95))}; "
              f"CPU median {ms(base_cpu)}")
        print("  note: pilot.pause() waits for idle in 20 ms sleeps, so wall figures move in ~20 ms steps; "
              "CPU - base is the finer measure of the app's own work")
        print(f"  {'key':12} {'wall med':>10} {'wall p95':>10} {'-base med':>10} {'-base p95':>10}   "
              f"{'CPU med':>10} {'CPU p95':>10} {'-base med':>10}  n")

        def row(label: str, values: tuple[list[float], list[float]]) -> None:
            wall, cpu = values
            med, p95, cmed = statistics.median(wall), pct(wall, 0.95), statistics.median(cpu)
            print(f"  {label:12} {ms(med):>10} {ms(p95):>10} {ms(med - base):>10} {ms(p95 - base):>10}   "
                  f"{ms(cmed):>10} {ms(pct(cpu, 0.95)):>10} {ms(cmed - base_cpu):>10}  {len(wall)}", flush=True)

        # G and g alternate: pressed again, either is a no-op (already at the bottom / top).
        for label, keys in (("j", ["j"]), ("k", ["k"]), ("space", ["space"]), ("G / g", ["G", "g"]),
                            ("w", ["w"])):
            view.move_cursor_to(text_len // 3)
            await pilot.pause()
            row(label, await press_times(pilot, keys, args.presses))

        # find: `/`, the word one key at a time (each keystroke runs an exact find), enter (fuzzy + jump)
        word = args.word
        slash: tuple[list[float], list[float]] = ([], [])
        typed: tuple[list[float], list[float]] = ([], [])
        enter: tuple[list[float], list[float]] = ([], [])
        for _ in range(max(3, args.presses // 8)):
            view.move_cursor_to(text_len // 3)
            await pilot.pause()
            for bucket, keys in [(slash, ["slash"])] + [(typed, [c]) for c in word] + [(enter, ["enter"])]:
                wall, cpu = await press_times(pilot, keys, 1)
                bucket[0].extend(wall)
                bucket[1].extend(cpu)
        total = view.find_total
        row("/", slash)
        row("typed char", typed)
        row("enter", enter)
        n = len(word) + 2
        whole = [slash[0][i] + sum(typed[0][i * len(word):(i + 1) * len(word)]) + enter[0][i]
                 for i in range(len(slash[0]))]
        print(f"  {'/' + word + '⏎':12} {ms(statistics.median(whole)):>10} {'':10} "
              f"{ms(statistics.median(whole) - n * base):>10}   (all {n} keys; find “{word}”: {total:,} hits)")
        row("n", await press_times(pilot, ["n"], args.presses))
        row("N", await press_times(pilot, ["N"], args.presses))
        await pilot.press("escape")
        await pilot.pause()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the big article in MB (default 20)")
    parser.add_argument("--opens", type=int, default=5, help="times to open the big article (default 5)")
    parser.add_argument("--presses", type=int, default=40, help="presses per key (default 40)")
    parser.add_argument("--word", default="the", help="word to find in the article (default: the)")
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}; Textual {textual.__version__}; headless {SIZE[0]}x{SIZE[1]}")
    tmp = Path(tempfile.mkdtemp(prefix="reader-bench-large-"))
    try:
        corpus = tmp / "corpus"
        shutil.copytree(SEEDS, corpus)
        start = time.perf_counter()
        big = build_article(args.mb, random.Random(20))
        (corpus / BIG_NAME).write_text(big, encoding="utf-8")
        print(f"built {corpus / BIG_NAME}: {len(big.encode('utf-8')) / 1e6:.1f} MB, {len(big):,} characters, "
              f"{big.count(chr(10)) + 1:,} lines ({time.perf_counter() - start:.1f} s)")

        # --- core -------------------------------------------------------------------------------------
        loads = timed(lambda: load_corpus(corpus), 3)
        loaded = load_corpus(corpus)
        article = loaded.get(BIG_NAME)
        assert article is not None, loaded.skipped
        print(f"\nload_corpus ({len(loaded.articles)} articles incl. the big one): median {ms(statistics.median(loads))}")
        text = article.text
        print(f"fold(20 MB text) (every find_in_text call folds the whole text first): "
              f"median {ms(statistics.median(timed(lambda: fold(text), 3)))}")
        for label, kwargs in (("exact (as typed)", {"fuzzy": False}), ("fuzzy (on enter)", {"fuzzy": True})):
            hits = find_in_text(text, args.word, **kwargs)
            times = timed(lambda: find_in_text(text, args.word, **kwargs), 3)
            print(f"find_in_text(“{args.word}”) {label}: median {ms(statistics.median(times))}  ({len(hits):,} hits)")
        for query in (args.word[:1], "ambasador"):
            hits = find_in_text(text, query, fuzzy=True)
            times = timed(lambda: find_in_text(text, query, fuzzy=True), 3)
            print(f"find_in_text(“{query}”) fuzzy: median {ms(statistics.median(times))}  ({len(hits):,} hits)")

        from reader.search.index import SearchIndex

        times = timed(lambda: SearchIndex.build(loaded.articles), 1)
        print(f"SearchIndex.build (what the app's index worker runs after load): {ms(times[0])}")
        asyncio.run(bench_app(corpus, tmp / "db.json", BIG_NAME, args))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
