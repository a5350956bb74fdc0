"""Benchmark the full-text search index against the needles of ../shared/bench-corpus.py.

    python bench/search.py [--articles 10000] [--queries 200] [--baseline-queries 20] [--shared DIR] [--cache DIR]

Generates the corpus once into a cache folder (reused afterwards), builds the index (build time), runs the
needle queries (each with one typo) and prints the median and p95 query latency and recall@1 / recall@10
of the needle's article per kind, beside the same figures for a baseline: a plain rapidfuzz scan of every
body per query (``process.extract`` with ``fuzz.partial_ratio``) on a smaller sample of the queries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from reader.search import SearchIndex  # noqa: E402


@dataclass
class _Plain:
    id: str
    title: str
    text: str


def load_articles(folder: Path) -> list:
    try:
        from reader.corpus import load_corpus
    except Exception:  # the corpus module is optional here: fall back to reading the files
        load_corpus = None
    if load_corpus is not None:
        try:
            return list(load_corpus(folder))
        except Exception as exc:  # noqa: BLE001 - report and fall back
            print(f"reader.corpus.load_corpus failed ({exc}); reading the files directly", file=sys.stderr)
    out = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        lines = [ln.strip() for ln in text.split("\n")]
        title = next((ln for ln in lines if ln and not ln.startswith("date ")), path.stem)
        out.append(_Plain(path.name, title, text))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def report(label: str, latencies: list[float], ranks: dict[str, list[int | None]]) -> None:
    print(f"{label}: {len(latencies)} queries, median {statistics.median(latencies):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms")
    for kind in sorted(ranks):
        rs = ranks[kind]
        r1 = sum(1 for r in rs if r is not None and r < 1) / len(rs)
        r10 = sum(1 for r in rs if r is not None and r < 10) / len(rs)
        print(f"    {kind:<7} n={len(rs):<4} recall@1 {r1:.2f}   recall@10 {r10:.2f}")


def _ranks_in_order(needles: list[dict], ranks: dict[str, list[int | None]]) -> list[int | None]:
    """The per-kind rank lists back in needle order."""
    cursor = {kind: iter(rs) for kind, rs in ranks.items()}
    return [next(cursor[nd["kind"]]) for nd in needles]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=200, help="needle queries to run (at most the needles there are)")
    ap.add_argument("--baseline-queries", type=int, default=20, help="queries for the plain-scan baseline (slow)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "reader-bench")
    args = ap.parse_args()

    generator = args.shared / "bench-corpus.py"
    if not generator.exists():
        print(f"cannot find the corpus generator at {generator} (use --shared DIR)", file=sys.stderr)
        return 2
    corpus = args.cache / f"corpus-{args.articles}-seed{args.seed}"
    needles_path = corpus.with_name(corpus.name + ".needles.json")
    if not needles_path.exists() or not corpus.is_dir():
        args.cache.mkdir(parents=True, exist_ok=True)
        print(f"generating {args.articles} articles into {corpus} ...", flush=True)
        subprocess.run([sys.executable, str(generator), str(corpus), "--articles", str(args.articles),
                        "--seed", str(args.seed)], check=True)
    else:
        print(f"reusing {corpus}")
    needles = json.loads(needles_path.read_text(encoding="utf-8"))[: args.queries]

    t0 = time.perf_counter()
    articles = load_articles(corpus)
    t1 = time.perf_counter()
    index = SearchIndex.build(articles)
    t2 = time.perf_counter()
    size = sum(len(a.text) for a in articles)
    print(f"loaded {len(articles)} articles ({size / 1e6:.1f} M characters) in {t1 - t0:.2f} s; "
          f"index built in {t2 - t1:.2f} s")

    latencies: list[float] = []
    ranks: dict[str, list[int | None]] = {}
    misses: list[str] = []
    for needle in needles:
        t = time.perf_counter()
        hits = index.search(needle["query"], limit=10)
        latencies.append((time.perf_counter() - t) * 1000)
        ids = [h.article for h in hits]
        rank = ids.index(needle["article"]) if needle["article"] in ids else None
        ranks.setdefault(needle["kind"], []).append(rank)
        if rank is None:
            misses.append(f"{needle['kind']}: {needle['query']!r} (phrase {needle['phrase']!r})")
    report("index", latencies, ranks)
    if misses:
        print(f"    not in the top 10 ({len(misses)}): " + "; ".join(misses[:8]) + (" ..." if len(misses) > 8 else ""))

    bodies = [a.text.lower() for a in articles]
    # some "phrase" needles are three common words that many articles share verbatim: no ranking can put the
    # one planted article in the top 10 among hundreds of equals, so show the recall without those too
    ambiguous = {i for i, nd in enumerate(needles) if sum(1 for b in bodies if nd["phrase"] in b) > 10}
    if ambiguous:
        clear: dict[str, list[int | None]] = {}
        flat = [(nd["kind"], r) for nd, r in zip(needles, _ranks_in_order(needles, ranks))]
        for i, (kind, r) in enumerate(flat):
            if i not in ambiguous:
                clear.setdefault(kind, []).append(r)
        print(f"    {len(ambiguous)} needles' phrase occurs verbatim in more than 10 articles; without them:")
        for kind in sorted(clear):
            rs = clear[kind]
            print(f"    {kind:<7} n={len(rs):<4} recall@1 {sum(1 for r in rs if r is not None and r < 1) / len(rs):.2f}"
                  f"   recall@10 {sum(1 for r in rs if r is not None and r < 10) / len(rs):.2f}")

    # baseline: a plain rapidfuzz scan of every body for each query, on a sample spread over the kinds
    ids = [a.id for a in articles]
    by_kind: dict[str, list[dict]] = {}
    for needle in needles:
        by_kind.setdefault(needle["kind"], []).append(needle)
    sample: list[dict] = []
    per_kind = max(1, args.baseline_queries // max(1, len(by_kind)))
    for kind in sorted(by_kind):
        sample.extend(by_kind[kind][:per_kind])
    base_lat: list[float] = []
    base_ranks: dict[str, list[int | None]] = {}
    for needle in sample:
        t = time.perf_counter()
        found = process.extract(needle["query"].lower(), bodies, scorer=fuzz.partial_ratio, limit=10)
        base_lat.append((time.perf_counter() - t) * 1000)
        top = [ids[i] for _, _, i in found]
        rank = top.index(needle["article"]) if needle["article"] in top else None
        base_ranks.setdefault(needle["kind"], []).append(rank)
    report("baseline (process.extract, fuzz.partial_ratio over all bodies)", base_lat, base_ranks)
    if base_lat:
        print(f"index median is {statistics.median(base_lat) / statistics.median(latencies):.0f}x faster "
              f"than the plain scan")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
