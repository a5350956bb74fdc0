"""Benchmark reader.corpus: load a generated corpus, and parse one huge article.

    python bench/corpus.py [--articles 10000] [--repeat 5] [--shared DIR] [--cache DIR]

The corpus is written once by ../shared/bench-corpus.py (beside the repository) into a cache folder and
reused by later runs. Prints plain lines with the figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from common import ensure_corpus, timed
from reader.corpus import load_corpus, parse_article

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
HUGE_BYTES = 20 * 1024 * 1024


def huge_article(corpus: Path) -> bytes:
    """About 20 MB of generated articles, one after the other."""
    parts: list[bytes] = []
    size = 0
    while size < HUGE_BYTES:
        for path in sorted(corpus.glob("*.txt")):
            data = path.read_bytes()
            parts.append(data)
            size += len(data)
            if size >= HUGE_BYTES:
                break
    return b"\n".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder holding bench-corpus.py")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "reader-bench")
    args = ap.parse_args()

    corpus_dir = ensure_corpus(args.shared, args.cache, args.articles)
    total_bytes = sum(p.stat().st_size for p in corpus_dir.glob("*.txt"))
    load_corpus(corpus_dir)  # warm the page cache: we measure our code, not the disk

    result = load_corpus(corpus_dir)
    times = timed(lambda: load_corpus(corpus_dir), args.repeat)
    median, best = statistics.median(times), min(times)
    n = len(result)
    print(f"load_corpus {n} files: median {median:.2f} s (min {best:.2f} s, {args.repeat} runs)")
    print(f"load_corpus throughput: {n / median:,.0f} files/s, {total_bytes / median / 1e6:.1f} MB/s "
          f"({total_bytes / 1e6:.1f} MB, {len(result.skipped)} skipped)")

    data = huge_article(corpus_dir)
    path = corpus_dir / "huge.txt"
    article = parse_article("huge.txt", path, data)
    times = timed(lambda: parse_article("huge.txt", path, data), args.repeat)
    print(f"parse_article {len(data) / 1e6:.1f} MB ({article.words:,} words): median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f} s, {args.repeat} runs)")

    # The same text with a non-ASCII character and an escape sequence: the slower paths (str.split for the
    # word count, control characters replaced, the text re-encoded for the fingerprint).
    hostile = "\u2019".encode() + b"\x1b[31m" + data.replace(b"\n", b"\r\n")
    times = timed(lambda: parse_article("huge.txt", path, hostile), args.repeat)
    print(f"parse_article {len(hostile) / 1e6:.1f} MB non-ASCII, CRLF, ESC: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f} s, {args.repeat} runs)")


if __name__ == "__main__":
    main()
