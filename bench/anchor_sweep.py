"""Re-anchoring sweep: passages of the seed articles under realistic edits, counted by outcome.

    python bench/anchor_sweep.py [--passages 3000] [--seed 10] [--compare] [--seeds DIR]

Each passage (a word-aligned selection of 1 to ~100 words) is described in an article, the article is
edited, and the passage is anchored again. The edits (one kind per passage, or several for "mixed"):

    typo-in-quote      one character of the quote changed, added or removed (a typo fixed)
    re-wrapped         every line wrapped at 60-80 columns (spaces become newlines)
    straight-quotes    the original had typographic quotes and apostrophes; now straight ones
    whitespace         the original had doubled spaces; every run of whitespace is now one space
    paragraph          a paragraph of another seed article inserted (it shares names and phrases)
    typos              random typos, at most one per 8 characters in the quote and its context
    mixed              two or three of the above together

Where the passage truly is afterwards is tracked character by character. Outcomes: exact (the very span),
boundaries off (overlaps it), wrong place (found elsewhere) and orphaned; "review" counts the found
anchors whose confidence is below the review threshold. The goals: no wrong place at all, and no orphan
among passages that still exist with at most one typo per 8 characters ("eligible": every passage
except a one-character edit in a quote shorter than 8 characters).

``--compare`` also runs the frozen pre-issue-10 matcher (bench/anchor_old.py) on the same passages, for
the side-by-side table. The last line is JSON.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from reader.anchoring import describe

KINDS = ("typo-in-quote", "re-wrapped", "straight-quotes", "whitespace", "paragraph", "typos", "mixed")
OUTCOMES = ("exact", "boundaries off", "wrong place", "orphaned")
DEFAULT_SEEDS = ROOT / "seeds"  # the same five files as ../shared/seeds
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def load_old():
    """The frozen pre-issue-10 matcher (bench/anchor_old.py: this folder is on the path of a bench run)."""
    import anchor_old

    return anchor_old


@dataclass
class Case:
    kind: str
    article: str
    original: str          # the text the passage was described on
    edited: str
    start: int             # the passage in ``original``
    end: int
    truth: tuple[int, int]  # where it is in ``edited``
    eligible: bool


class Doc:
    """Text as characters with their origin: the index in the original, or for an inserted character a
    number strictly between its neighbours' origins (so the origins stay sorted and a span is two bisects)."""

    def __init__(self, text: str) -> None:
        self.chars = list(text)
        self.origin: list[float] = [float(i) for i in range(len(text))]

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def span_of(self, start: int, end: int) -> tuple[int, int] | None:
        a = bisect.bisect_left(self.origin, start)
        b = bisect.bisect_right(self.origin, end - 1)     # characters inserted after the last one are outside
        return (a, b) if a < b else None

    def substitute(self, i: int, c: str) -> None:
        self.chars[i] = c

    def insert(self, i: int, s: str) -> None:
        left = self.origin[i - 1] if i > 0 else -1.0
        right = self.origin[i] if i < len(self.origin) else left + 1.0
        step = (right - left) / (len(s) + 1)
        self.chars[i:i] = list(s)
        self.origin[i:i] = [left + step * (k + 1) for k in range(len(s))]

    def delete(self, i: int, count: int = 1) -> None:
        del self.chars[i:i + count]
        del self.origin[i:i + count]


# -- base texts the passage is described on --------------------------------------------------------------


def smarten(text: str) -> str:
    """Typographic quotes and apostrophes, as a CMS would have written them."""
    out, double_open = [], True
    for i, c in enumerate(text):
        if c in "'`":
            out.append("’" if i > 0 and text[i - 1].isalnum() else "‘")
        elif c == '"':
            out.append("“" if double_open else "”")
            double_open = not double_open
        else:
            out.append(c)
    return "".join(out)


def double_spaces(text: str, rng: random.Random) -> str:
    return re.sub(r"([.,;:]) ", lambda m: m.group(1) + ("  " if rng.random() < 0.7 else " "), text)


# -- edits (on a Doc, knowing where the passage is in it) -------------------------------------------------


def typo(doc: Doc, rng: random.Random, i: int) -> None:
    kind = rng.choice(("sub", "ins", "del"))
    if kind == "sub":
        doc.substitute(i, rng.choice([c for c in LETTERS if c != doc.chars[i]]))
    elif kind == "ins":
        doc.insert(i, rng.choice(LETTERS))
    elif len(doc.chars) > 1:
        doc.delete(i)


def positions_spread(rng: random.Random, lo: int, hi: int, count: int) -> list[int]:
    """``count`` positions in [lo, hi), at least 8 apart (so never more than one typo per 8 characters)."""
    out: list[int] = []
    tries = 0
    while len(out) < count and tries < 50 * (count + 1):
        tries += 1
        p = rng.randrange(lo, hi)
        if all(abs(p - q) >= 8 for q in out):
            out.append(p)
    return sorted(out, reverse=True)


def edit_typo_in_quote(doc: Doc, rng: random.Random, qs: int, qe: int) -> None:
    typo(doc, rng, rng.randrange(qs, qe))


def edit_rewrap(doc: Doc, rng: random.Random, qs: int, qe: int) -> None:
    width = rng.randint(60, 80)
    col = 0
    last_space = -1
    for i, c in enumerate(doc.chars):
        if c == "\n":
            col, last_space = 0, -1
            continue
        col += 1
        if c == " ":
            last_space = i
        if col > width and last_space >= 0:
            doc.substitute(last_space, "\n")
            col = i - last_space
            last_space = -1


def edit_straight_quotes(doc: Doc, rng: random.Random, qs: int, qe: int) -> None:
    table = {"’": "'", "‘": "'", "“": '"', "”": '"'}
    for i, c in enumerate(doc.chars):
        if c in table:
            doc.substitute(i, table[c])


def edit_whitespace(doc: Doc, rng: random.Random, qs: int, qe: int) -> None:
    i = len(doc.chars) - 1
    while i > 0:
        if doc.chars[i].isspace() and doc.chars[i - 1].isspace():
            doc.delete(i)
        elif doc.chars[i].isspace() and doc.chars[i] != " ":
            doc.substitute(i, " ")
        i -= 1


def edit_paragraph(doc: Doc, rng: random.Random, qs: int, qe: int, others: list[str]) -> None:
    paragraph = rng.choice([p for text in others for p in text.split("\n\n") if len(p) > 40])
    breaks = [i + 2 for i in range(len(doc.chars) - 1) if doc.chars[i] == "\n" and doc.chars[i + 1] == "\n"]
    before = [b for b in breaks if b <= qs] + [0]
    after = [b for b in breaks if b >= qe]
    at = rng.choice(before) if (rng.random() < 0.7 or not after) else rng.choice(after)
    doc.insert(at, paragraph + "\n\n")


def edit_typos(doc: Doc, rng: random.Random, qs: int, qe: int) -> None:
    m = qe - qs
    lo, hi = max(0, qs - 64), min(len(doc.chars), qe + 64)
    inside = positions_spread(rng, qs, qe, rng.randint(0, m // 8)) if m >= 8 else []
    around = [p for p in positions_spread(rng, lo, hi, rng.randint(1, max(1, (hi - lo) // 24)))
              if not qs - 8 < p < qe + 8 and all(abs(p - q) >= 8 for q in inside)]
    far = [rng.randrange(len(doc.chars)) for _ in range(len(doc.chars) // 300)]
    far = [p for p in far if not lo <= p < hi]
    for p in sorted(set(inside + around + far), reverse=True):
        typo(doc, rng, p)


def make_cases(texts: dict[str, str], count: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    names = sorted(texts)
    cases: list[Case] = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        name = names[rng.randrange(len(names))]
        steps = [kind] if kind != "mixed" else rng.sample(KINDS[:-1], rng.randint(2, 3))
        base = texts[name]
        if "straight-quotes" in steps:
            base = smarten(base)
        if "whitespace" in steps:
            base = double_spaces(base, rng)
        start, end = pick_passage(base, rng)
        doc = Doc(base)
        typo_count = 0
        for step in steps:
            span = doc.span_of(start, end)
            if span is None:
                break
            qs, qe = span
            if step == "typo-in-quote":
                edit_typo_in_quote(doc, rng, qs, qe)
                typo_count += 1
            elif step == "re-wrapped":
                edit_rewrap(doc, rng, qs, qe)
            elif step == "straight-quotes":
                edit_straight_quotes(doc, rng, qs, qe)
            elif step == "whitespace":
                edit_whitespace(doc, rng, qs, qe)
            elif step == "paragraph":
                edit_paragraph(doc, rng, qs, qe, [texts[o] for o in names if o != name])
            elif step == "typos":
                before = len(doc.chars)
                edit_typos(doc, rng, qs, qe)
                typo_count += max(0, (end - start) // 8) if before else 0
        truth = doc.span_of(start, end)
        if truth is None:
            continue
        size = end - start
        eligible = not ("typo-in-quote" in steps and size < 8) and not (
            "typo-in-quote" in steps and "typos" in steps and size < 16)
        cases.append(Case(kind, name, base, doc.text, start, end, truth, eligible))
    return cases


def pick_passage(text: str, rng: random.Random) -> tuple[int, int]:
    words = [m.span() for m in re.finditer(r"\S+", text)]
    r = rng.random()
    count = rng.randint(1, 2) if r < 0.3 else (rng.randint(3, 20) if r < 0.75 else rng.randint(20, 100))
    count = min(count, len(words))
    i = rng.randrange(0, len(words) - count + 1)
    start, end = words[i][0], words[i + count - 1][1]
    # a selection ends before trailing punctuation now and then, as people select
    while end - start > 1 and text[end - 1] in ".,;:)\"”’" and rng.random() < 0.5:
        end -= 1
    return start, end


def classify(a, truth: tuple[int, int]) -> str:
    if not a.found:
        return "orphaned"
    if (a.start, a.end) == truth:
        return "exact"
    if a.start < truth[1] and a.end > truth[0]:
        return "boundaries off"
    return "wrong place"


def run(cases: list[Case], module) -> dict:
    review_below = getattr(module, "REVIEW_BELOW", None)
    rows: dict[str, dict[str, int]] = {k: {o: 0 for o in OUTCOMES} | {"review": 0, "passages": 0}
                                       for k in KINDS + ("all",)}
    eligible_orphans = 0
    wrong: list[dict] = []
    t0 = time.perf_counter()
    for case in cases:
        sel = describe(case.original, case.start, case.end)
        a = module.anchor(case.edited, **asdict(sel))
        outcome = classify(a, case.truth)
        conf = getattr(a, "confidence", a.score)
        for key in (case.kind, "all"):
            rows[key][outcome] += 1
            rows[key]["passages"] += 1
            if a.found and review_below is not None and conf < review_below:
                rows[key]["review"] += 1
        if outcome == "orphaned" and case.eligible:
            eligible_orphans += 1
        if outcome == "wrong place" or (outcome == "orphaned" and case.eligible):
            wrong.append({"kind": case.kind, "article": case.article, "quote": sel.quote[:60],
                          "outcome": outcome, "found": (a.start, a.end), "truth": case.truth})
    elapsed = time.perf_counter() - t0
    return {"rows": rows, "eligible_orphans": eligible_orphans, "seconds": round(elapsed, 3),
            "failures": wrong}


def table(results: dict[str, dict]) -> str:
    names = list(results)
    cols = ("exact", "boundaries off", "wrong place", "orphaned", "review")
    head = f"{'edit':<16}{'n':>6}  " + "  ".join(f"{name + ' ' + c:>{max(12, len(name) + len(c) + 1)}}"
                                                for c in cols for name in names)
    lines = [head]
    for kind in KINDS + ("all",):
        first = results[names[0]]["rows"][kind]
        cells = []
        for c in cols:
            for name in names:
                row = results[name]["rows"][kind]
                value = row[c] if (c != "review" or name != "old") else "-"
                cells.append(f"{value!s:>{max(12, len(name) + len(c) + 1)}}")
        lines.append(f"{kind:<16}{first['passages']:>6}  " + "  ".join(cells))
    for name in names:
        r = results[name]
        lines.append(f"{name}: eligible orphans {r['eligible_orphans']}, wrong place {r['rows']['all']['wrong place']},"
                     f" {r['seconds']} s")
    return "\n".join(lines)


def load_texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--compare", action="store_true", help="also run the frozen pre-issue-10 matcher")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--show", type=int, default=5, help="print this many failures of each matcher")
    args = parser.parse_args(argv)
    from reader import anchoring

    cases = make_cases(load_texts(args.seeds), args.passages, args.seed)
    results = {"new": run(cases, anchoring)}
    if args.compare:
        results["old"] = run(cases, load_old())
    print(f"{len(cases)} passages of {args.seeds} (seed {args.seed})")
    print(table(results))
    for name, r in results.items():
        for f in r["failures"][:args.show]:
            print(f"  {name} {f['outcome']}: {f}")
    print(json.dumps({name: {"passages": len(cases), **r["rows"]["all"], "eligible_orphans": r["eligible_orphans"],
                             "seconds": r["seconds"]} for name, r in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
