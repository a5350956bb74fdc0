"""How long re-anchoring takes: 1,000 annotations across 100 edited articles.

    python bench/reanchor.py [--articles 100] [--per-article 10] [--runs 5] [--seed 4] [--compare]

The articles are made of the seed articles' paragraphs in a random order (3-12 kB each); the annotations
are word-aligned passages of 1 to ~60 words. Each article is then edited the way articles change: a
paragraph added at the top, every line re-wrapped, smart quotes made straight, and a typo fixed in a few
of the annotated passages. The figure is the median over the runs of the time to re-anchor every
annotation (``reader.anchoring.anchor_record`` on the edited text), and how the anchors came out.
``--compare`` times the frozen pre-issue-10 matcher on the same data in the same run. Ends with JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from reader import anchoring
from reader.anchoring import describe

SEEDS = ROOT / "seeds"  # the same five files as ../shared/seeds


def build(articles: int, per_article: int, seed: int) -> list[tuple[str, list[dict]]]:
    rng = random.Random(seed)
    paragraphs = [p for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n")
                  if len(p) > 60]
    out = []
    for _ in range(articles):
        paras = rng.sample(paragraphs, min(len(paragraphs), rng.randint(8, 30)))
        text = "\n\n".join(p.replace("'", "’") for p in paras) + "\n"
        words = [m.span() for m in re.finditer(r"\S+", text)]
        records = []
        for _ in range(per_article):
            count = rng.choice((1, 2, 3, 5, 8, 13, 21, 40, 60))
            i = rng.randrange(0, max(1, len(words) - count))
            s, e = words[i][0], words[min(len(words) - 1, i + count - 1)][1]
            sel = describe(text, s, e)
            records.append(sel.fields())
        # the edits
        edited = list(text)
        for r in records[: per_article // 3]:
            i = rng.randrange(r["start"], r["end"])
            if edited[i].isalpha():
                edited[i] = "x" if edited[i] != "x" else "y"
        edited = "".join(edited).replace("’", "'")
        edited = re.sub(r"(.{60,75}?) ", lambda m: m.group(1) + "\n", edited)
        edited = "Updated: " + rng.choice(paragraphs) + "\n\n" + edited
        out.append((edited, records))
    return out


def time_once(module, data) -> tuple[float, dict[str, int]]:
    counts = {"anchored": 0, "moved": 0, "orphaned": 0, "review": 0}
    below = getattr(module, "REVIEW_BELOW", None)
    t0 = time.perf_counter()
    results = [module.anchor_record(text, r) for text, records in data for r in records]
    elapsed = time.perf_counter() - t0
    for a in results:
        counts[a.status] += 1
        if below is not None and a.found and a.confidence < below:
            counts["review"] += 1
    return elapsed, counts


def load_old():
    """The frozen pre-issue-10 matcher (bench/anchor_old.py: this folder is on the path of a bench run)."""
    import anchor_old

    return anchor_old


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--per-article", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args(argv)
    data = build(args.articles, args.per_article, args.seed)
    total = sum(len(r) for _t, r in data)
    modules = {"new": anchoring} | ({"old": load_old()} if args.compare else {})
    figures = {}
    for name, module in modules.items():
        times, counts = [], {}
        for _ in range(args.runs):
            elapsed, counts = time_once(module, data)
            times.append(elapsed)
        figures[name] = {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4), **counts}
        print(f"{name}: re-anchored {total} annotations in {len(data)} edited articles: median "
              f"{statistics.median(times):.3f} s over {args.runs} runs (min {min(times):.3f} s); {counts}")
    print(json.dumps({"annotations": total, "articles": len(data), **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
