"""Benchmark the reading widget: open a huge article, then time motion keys.

    python bench/article_view.py [--mb 20] [--runs 3] [--presses 60]

Builds a news-like article of about `--mb` megabytes from the bundled seeds (their
paragraphs shuffled, numbered and lightly varied), runs a host app headless at
160x48 and prints:

- load: `ArticleView.load()` plus the first full screen render (median of `--runs`),
  for the big article and for one seed-sized article;
- per motion key (`j`, `space`, `G`/`g`, `w`): median and p95 of `pilot.press` +
  `pilot.pause()` (what a user waits for, including Textual's own event round trip),
  and of the widget's own work (the action plus rendering the visible lines).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from textual.app import App, ComposeResult

from common import build_article, ms, pct, seed_texts
from reader.tui.widgets.article_view import ArticleView

SIZE = (160, 48)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView()

    def on_mount(self) -> None:
        self.query_one(ArticleView).focus()


async def time_load(pilot, view: ArticleView, text: str, runs: int) -> list[float]:
    app = pilot.app
    times = []
    for _ in range(runs):
        view.load("")
        await pilot.pause()
        start = time.perf_counter()
        view.load(text)
        await pilot.pause()
        app.screen._compositor.render_strips()  # the first screen, fully rendered
        times.append(time.perf_counter() - start)
    return times


def visible_render(view: ArticleView) -> None:
    for y in range(view.size.height):
        view.render_line(y)


async def time_key(pilot, view: ArticleView, keys: list[str], presses: int, own: bool = True):
    """Time `presses` key presses, cycling through `keys`."""
    via_pilot: list[float] = []
    for index in range(presses):
        key = keys[index % len(keys)]
        start = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        via_pilot.append(time.perf_counter() - start)
    if not own:
        return via_pilot, []
    # The widget's own share: the action itself, then the visible lines.
    actions = {
        "j": view.action_cursor_down,
        "space": view.action_page_down,
        "G": view.action_bottom,
        "g": view.action_top,
        "w": view.action_word_forward,
    }
    own_times: list[float] = []
    for index in range(presses):
        action = actions[keys[index % len(keys)]]
        start = time.perf_counter()
        action()
        visible_render(view)
        own_times.append(time.perf_counter() - start)
    return via_pilot, own_times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="article size in MB (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="load runs (default 3)")
    parser.add_argument("--presses", type=int, default=60, help="presses per key (default 60)")
    args = parser.parse_args()

    rng = random.Random(7)
    big = build_article(args.mb, rng)
    small = seed_texts()[3]
    print(
        f"article: {len(big.encode('utf-8')) / 1e6:.1f} MB, {len(big):,} characters, "
        f"{big.count(chr(10)) + 1:,} lines; terminal {SIZE[0]}x{SIZE[1]}"
    )

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()

        loads = await time_load(pilot, view, small, args.runs)
        print(f"open seed-sized ({len(small):,} chars): median {ms(statistics.median(loads))}")
        loads = await time_load(pilot, view, big, args.runs)
        print(
            f"open {args.mb:g} MB: median {ms(statistics.median(loads))}  "
            f"(runs: {', '.join(f'{t * 1000:.0f}' for t in loads)} ms; "
            f"{view.visual_line_count:,} visual lines)"
        )

        start = time.perf_counter()
        view._layout = None
        view._ensure_layout()
        print(f"re-wrap {args.mb:g} MB at width {view.wrap_width}: {ms(time.perf_counter() - start)}")

        baseline, _ = await time_key(pilot, view, ["z"], args.presses, own=False)
        print(
            f"\npilot round trip of an unbound key (Textual's idle wait, not our work): "
            f"median {ms(statistics.median(baseline))}"
        )
        print(f"\n{'key':8} {'pilot median':>14} {'pilot p95':>12} {'widget median':>15} {'widget p95':>12}")
        for label, keys in (("j", ["j"]), ("space", ["space"]), ("G / g", ["G", "g"]), ("w", ["w"])):
            view.move_cursor_to(len(big) // 3)
            await pilot.pause()
            via_pilot, own = await time_key(pilot, view, keys, args.presses)
            print(
                f"{label:8} {ms(statistics.median(via_pilot)):>14} {ms(pct(via_pilot, 0.95)):>12} "
                f"{ms(statistics.median(own)):>15} {ms(pct(own, 0.95)):>12}"
            )


if __name__ == "__main__":
    asyncio.run(main())
