"""Benchmark library search on a generated corpus and its needles (``../shared/bench-corpus.py``).

    python bench/search.py --corpus DIR --needles FILE [--cli-queries 10] [--fzf-queries 5] [--work DIR]
    python bench/search.py --articles 10000          # generates DIR and FILE first (cached in /tmp)

Prints, then ends with one JSON line:

* ``index_build_s``: a cold start's catalogue (every file parsed) plus the FTS5 index, from nothing;
* ``index_load_s``: a warm start in a fresh ``Library``: stat every file against the catalogue, open the
  index, load its vocabulary (what a new process pays before its first query);
* ``p50_ms`` / ``p95_ms``: in-process ``Library.search`` latency over every needle (each has one typo);
* ``rare_top3`` / ``phrase_top10``: share of rare needles whose article ranks in the top 3, of phrase
  needles in the top 10;
* ``phrase_ceiling``: the expected ``phrase_top10`` of an oracle that ranks exactly the articles holding
  the needle's uncorrupted phrase (an FTS5 phrase match) first, ties at random: the mean over phrase
  needles of ``min(1, 10 / holders)``, what no text signal can beat on this corpus;
* ``phrase_crowded``: phrase needles whose exact (typo-free) phrase is in more than 10 articles, so no
  ranking can tell their article from the others; ``phrase_top10_or_tied``: phrase needles whose article
  is in the top 10, or whose 10 first hits all hold the exact phrase (as good an answer as the text allows);
* ``peak_mib``: peak resident memory of this process (corpus open, indexed, all queries run);
* ``cli_ms``: median wall time of a whole ``reader search QUERY`` process, warm caches (null with
  ``--cli-queries 0``);
* ``fzf_ms``: median wall time of ``fzf --filter QUERY`` over the same text, one paragraph a line
  (null when fzf is not installed), and ``fzf_top10``: how often fzf's first 10 lines hold the article.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reader.library import Library  # noqa: E402

SHARED = ROOT.parent / "shared"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def generate(articles: int) -> tuple[Path, Path]:
    out = Path(tempfile.gettempdir()) / f"reader-bench-c{articles}"
    needles = Path(f"{out}.needles.json")
    if not needles.exists():
        script = SHARED / "bench-corpus.py"
        if not script.exists():
            sys.exit(f"no --corpus given and {script} is missing")
        subprocess.run([sys.executable, str(script), str(out), "--articles", str(articles)], check=True)
    return out, needles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--needles", type=Path)
    ap.add_argument("--articles", type=int, default=10000, help="generate a corpus of this size if --corpus is not given")
    ap.add_argument("--cli-queries", type=int, default=10)
    ap.add_argument("--fzf-queries", type=int, default=5)
    ap.add_argument("--work", type=Path, help="folder for the database and caches (default: a temp folder, removed)")
    args = ap.parse_args()
    corpus, needles_path = (args.corpus, args.needles) if args.corpus else generate(args.articles)
    if needles_path is None:
        needles_path = Path(f"{corpus}.needles.json")
    needles = json.loads(needles_path.read_text(encoding="utf-8"))
    work = args.work or Path(tempfile.mkdtemp(prefix="reader-bench-search-"))
    db = work / "annotations" / "annotations.json"
    try:
        run(corpus, needles, work, db, args)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def run(corpus: Path, needles: list[dict], work: Path, db: Path, args) -> None:
    for name in ("library.sqlite", "library-index.sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db.parent / name}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    lib = Library(corpus, db)
    lib.refresh()
    catalogue_s = time.perf_counter() - started
    lib.update_index()
    build_s = time.perf_counter() - started
    lib.close()
    print(f"cold: catalogue {catalogue_s:.2f} s, catalogue + index {build_s:.2f} s ({len(lib.articles)} articles)")

    started = time.perf_counter()
    lib = Library(corpus, db)
    lib.refresh()
    lib.update_index()
    lib.index._load_vocabulary()
    load_s = time.perf_counter() - started
    print(f"warm: stat + catalogue + index open + vocabulary {load_s:.3f} s")

    import re
    import sqlite3

    index_db = sqlite3.connect(db.parent / "library-index.sqlite")
    crowded = tied = 0
    ceiling: list[float] = []   # per phrase needle, the oracle's chance of the top 10 (see phrase_ceiling)
    not_held = 0
    times: list[float] = []
    found = {"rare": [0, 0], "phrase": [0, 0]}
    annotations: list[dict] = []
    for needle in needles:
        t = time.perf_counter()
        hits = lib.search(needle["query"], limit=10, annotations=annotations)
        times.append(time.perf_counter() - t)
        ids = [h.article for h in hits]
        kind = needle["kind"]
        k = 3 if kind == "rare" else 10
        found.setdefault(kind, [0, 0])
        found[kind][1] += 1
        found[kind][0] += needle["article"] in ids[:k]
        if kind == "phrase":
            holding = index_db.execute("SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 11)",
                                       ('"' + needle["phrase"] + '"',)).fetchone()[0]
            crowded += holding > 10
            holders = {i for (i,) in index_db.execute("SELECT docs.id FROM fts JOIN docs ON docs.num = fts.rowid"
                                                       " WHERE fts MATCH ?", ('"' + needle["phrase"] + '"',))}
            if needle["article"] not in holders:
                not_held += 1
                holders.add(needle["article"])
            ceiling.append(min(1.0, 10 / len(holders)))
            pattern = re.compile(r"\b" + r"\W{1,4}".join(map(re.escape, needle["phrase"].split())) + r"\b", re.I)
            tied += needle["article"] in ids[:k] or (
                holding > 10 and len(ids) >= 10 and all(pattern.search(lib.article(i).text) for i in ids[:10]))
    p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    rare = found["rare"][0] / max(1, found["rare"][1])
    phrase = found["phrase"][0] / max(1, found["phrase"][1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"in-process: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(times)} needles; rare top 3 "
          f"{found['rare'][0]}/{found['rare'][1]}, phrase top 10 {found['phrase'][0]}/{found['phrase'][1]}; "
          f"peak {peak:.0f} MiB")
    print(f"  phrase needles whose exact phrase is in more than 10 articles: {crowded}; article in the top 10 "
          f"or all 10 first hits hold the exact phrase: {tied}/{found['phrase'][1]}")
    phrase_ceiling = sum(ceiling) / len(ceiling) if ceiling else None
    if ceiling:
        print(f"  phrase ceiling {phrase_ceiling:.1%}: the expected top-10 share of an oracle ranking exactly the "
              f"articles that hold the uncorrupted phrase first, ties at random (per needle min(1, 10/holders);"
              f" {sum(c < 1 for c in ceiling)} needles below 1"
              + (f"; {not_held} articles not holding their own phrase counted as holders" if not_held else "")
              + ")")

    reader = shutil.which("reader") or str(Path(sys.executable).with_name("reader"))
    sample = needles[: args.cli_queries]
    cli: list[float] = []
    for needle in sample:
        t = time.perf_counter()
        subprocess.run([reader, "search", needle["query"], "--corpus", str(corpus), "--db", str(db), "--limit", "10"],
                       check=True, capture_output=True)
        cli.append(time.perf_counter() - t)
    cli_ms = statistics.median(cli) * 1000 if cli else None
    if cli:
        print(f"whole `reader search` process: median {cli_ms:.0f} ms over {len(cli)} queries")

    fzf_ms = fzf_top10 = None
    fzf = shutil.which("fzf")
    if fzf and args.fzf_queries > 0:
        lines = work / "paragraphs.txt"
        with lines.open("w", encoding="utf-8") as out:
            for a in lib.articles:
                for para in a.text.split("\n\n"):
                    para = " ".join(para.split())
                    if para:
                        out.write(f"{a.id}\t{para}\n")
        runs: list[float] = []
        hits = 0
        for needle in needles[: args.fzf_queries]:
            t = time.perf_counter()
            with lines.open("rb") as stdin:
                result = subprocess.run([fzf, "--filter", needle["query"]], stdin=stdin, capture_output=True)
            runs.append(time.perf_counter() - t)
            top = [ln.split(b"\t", 1)[0].decode() for ln in result.stdout.splitlines()[:10]]
            hits += needle["article"] in top
        fzf_ms = statistics.median(runs) * 1000
        fzf_top10 = hits / len(runs)
        print(f"fzf --filter over {lines.stat().st_size / 1e6:.0f} MB of paragraphs: median {fzf_ms:.0f} ms, "
              f"article in its first 10 lines {hits}/{len(runs)}"
              + (f"; reader search is {fzf_ms / cli_ms:.1f}x faster" if cli_ms else ""))
    print(json.dumps({
        "articles": len(lib.articles), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
        "rare_top3": round(rare, 3), "phrase_top10": round(phrase, 3), "phrase_crowded": crowded,
        "phrase_ceiling": round(phrase_ceiling, 3) if phrase_ceiling is not None else None,
        "phrase_top10_or_tied": round(tied / max(1, found["phrase"][1]), 3), "index_build_s": round(build_s, 2),
        "catalogue_s": round(catalogue_s, 2), "index_load_s": round(load_s, 3), "peak_mib": round(peak),
        "cli_ms": round(cli_ms) if cli_ms is not None else None, "fzf_ms": round(fzf_ms) if fzf_ms is not None else None,
        "fzf_top10": fzf_top10, "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
