"""How long the note editor, the export dialog and the command palette take to open, the first time.

    python bench/open_latency.py [--runs 5]

Each run starts a fresh process (so "first time" includes importing the dialog's modules and loading its
CSS, as a user meets it) with `ReaderApp(seeds copy, temp db, config=Config())` under
`app.run_test(size=(120, 36))`, waits until the session is open, then for each dialog: presses its key
and waits until the dialog's screen is on top and has been painted (one more pause). Times are wall
clock from the key to that point, minus the pilot's own round trip for an unbound key (`f12`). Medians
over the runs are printed, then one JSON line. Nothing is asserted (the goal is 150 ms each).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from common import SEEDS

CHILD = r'''
import asyncio, json, shutil, sys, tempfile, time
from pathlib import Path
from reader.tui.app import ReaderApp
from reader.tui.config import Config

async def main(which):
    tmp = Path(tempfile.mkdtemp(prefix="reader-latency-"))
    shutil.copytree(Path(sys.argv[1]), tmp / "corpus")
    app = ReaderApp(tmp / "corpus", tmp / "db" / "annotations.json", config=Config())
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(400):
            if app.session_open and app.screen.query("#articles") and app.screen.query_one("#articles").row_count:
                break
            await pilot.pause(0.01)
        await pilot.pause(0.2)
        if which == "note":
            app.open_article("003_5fa1d59920890bb8.txt", offset=0)
            for _ in range(200):
                if type(app.screen).__name__ == "ReaderScreen":
                    break
                await pilot.pause(0.01)
            await pilot.pause(0.1)
            await pilot.press("v", "w")
            await pilot.pause()
        t0 = time.perf_counter()
        await pilot.press("f12")
        await pilot.pause()
        idle = time.perf_counter() - t0
        key, screen = {"note": ("a", "NoteEditor"), "export": ("e", "ExportScreen"),
                       "palette": ("ctrl+p", "CommandPalette")}[which]
        t0 = time.perf_counter()
        await pilot.press(key)
        while type(app.screen).__name__ != screen:
            await pilot.pause(0)
        await pilot.pause()
        took = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"which": which, "ms": round(1000 * max(0.0, took - idle), 1)}))

asyncio.run(main(sys.argv[2]))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"note": [], "export": [], "palette": []}
    for _ in range(args.runs):
        for which in results:  # alternating, so that machine load falls on each alike
            out = subprocess.run([sys.executable, "-c", CHILD, str(SEEDS), which], capture_output=True, text=True,
                                 timeout=120)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                raise SystemExit(1)
            results[which].append(json.loads(out.stdout.strip().splitlines()[-1])["ms"])
    medians = {k: statistics.median(v) for k, v in results.items()}
    for which, values in results.items():
        print(f"{which:8} first open: median {medians[which]:7.1f} ms  (runs: {', '.join(f'{v:.0f}' for v in values)})")
    print(json.dumps({"bench": "open_latency", "runs": args.runs, "median_ms": medians, "goal_ms": 150}))


if __name__ == "__main__":
    main()
