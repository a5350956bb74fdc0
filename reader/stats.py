"""Figures about what was coded: the numbers behind ``reader stats`` and the statistics screen.

    tags          tag -> annotations carrying it (as spelled most often), most used first
    weeks         ISO week ("2026-W48") -> annotations created that week, oldest first, gaps filled
    articles      the most annotated articles: (article id, title, count)
    overlap       pairs of tags on the same or overlapping passages: ((tag, tag), count)
    same_article  pairs of tags in the same article: ((tag, tag), articles)
    annotators    annotator -> annotations ("" = unknown)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any, Iterable, Mapping

from reader.records import count_tags, tag_spellings


@dataclass
class Stats:
    total: int = 0
    tags: list[tuple[str, int]] = field(default_factory=list)
    weeks: list[tuple[str, int]] = field(default_factory=list)
    articles: list[tuple[str, str, int]] = field(default_factory=list)
    overlap: list[tuple[tuple[str, str], int]] = field(default_factory=list)
    same_article: list[tuple[tuple[str, str], int]] = field(default_factory=list)
    annotators: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "tags": [{"tag": t, "count": n} for t, n in self.tags],
            "weeks": [{"week": w, "count": n} for w, n in self.weeks],
            "articles": [{"article": a, "title": t, "count": n} for a, t, n in self.articles],
            "overlap": [{"tags": list(p), "count": n} for p, n in self.overlap],
            "same_article": [{"tags": list(p), "articles": n} for p, n in self.same_article],
            "annotators": [{"annotator": a, "count": n} for a, n in self.annotators],
        }


def _week(stamp: str) -> date | None:
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    day = moment.date()
    return day - timedelta(days=day.weekday())  # the Monday of its ISO week


def _label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _pairs(tags: Iterable[str]) -> list[tuple[str, str]]:
    return list(combinations(sorted(set(tags), key=str.casefold), 2))


def compute(records: Iterable[dict[str, Any]], articles: Mapping[str, Any] | None = None, *,
            top: int = 10) -> Stats:
    records = list(records)
    articles = articles or {}
    shown = tag_spellings(records)

    def canon(tags: Iterable[str]) -> list[str]:
        return [shown[t.casefold()] for t in tags]

    weeks = Counter(w for w in (_week(r.get("created") or "") for r in records) if w is not None)
    week_list: list[tuple[str, int]] = []
    if weeks:
        day, last = min(weeks), max(weeks)
        while day <= last:
            week_list.append((_label(day), weeks.get(day, 0)))
            day += timedelta(days=7)
    per_article = Counter(r["article"] for r in records)
    top_articles = [(a, getattr(articles.get(a), "title", None) or a, n)
                    for a, n in sorted(per_article.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]

    overlap: Counter[tuple[str, str]] = Counter()
    same_article: Counter[tuple[str, str]] = Counter()
    by_article: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_article.setdefault(r["article"], []).append(r)
    for article, rs in by_article.items():
        for pair in _pairs(t for r in rs for t in canon(r["tags"])):
            same_article[pair] += 1
        passages = sorted((r for r in rs if r.get("start") is not None), key=lambda r: r["start"])
        for r in rs:
            overlap.update(_pairs(canon(r["tags"])))  # two tags on one passage
        for i, r in enumerate(passages):  # sweep: passages that start before this one ends
            for other in passages[i + 1:]:
                if other["start"] >= r["end"]:
                    break
                for x in canon(r["tags"]):
                    for y in canon(other["tags"]):
                        if x.casefold() != y.casefold():
                            overlap[tuple(sorted((x, y), key=str.casefold))] += 1
    ordered = lambda c: sorted(c.items(), key=lambda kv: (-kv[1], kv[0][0].casefold(), kv[0][1].casefold()))
    return Stats(
        total=len(records),
        tags=list(count_tags(records).items()),  # the rule of `reader tags` and every TUI tag list
        weeks=week_list,
        articles=top_articles,
        overlap=ordered(overlap)[:top * 2],
        same_article=ordered(same_article)[:top * 2],
        annotators=sorted(Counter(r.get("annotator") or "" for r in records).items(), key=lambda kv: (-kv[1], kv[0])),
    )
