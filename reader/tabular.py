"""CSV: one row per annotation, for spreadsheets.

Written as UTF-8 with a byte order mark, which is how Excel recognises UTF-8 (without it, Excel reads
the file in the system's legacy code page and accents come out as mojibake); LibreOffice and Python's
``csv`` module read it as well (``encoding="utf-8-sig"``). Rows end in CRLF, as RFC 4180 says. A cell
that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR) gets
a leading apostrophe, the usual guard against CSV formula injection.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Mapping

COLUMNS = ("article", "title", "date", "start", "end", "quote", "tags", "note", "annotator", "created", "updated")
TAG_SEPARATOR = "; "
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def rows(records: Iterable[dict[str, Any]], articles: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    for r in records:
        article = articles.get(r["article"])
        out.append({
            "article": r["article"],
            "title": getattr(article, "title", None) or "",
            "date": getattr(article, "date", None) or "",
            "start": "" if r.get("start") is None else str(r["start"]),
            "end": "" if r.get("end") is None else str(r["end"]),
            "quote": r.get("quote") or "",
            "tags": TAG_SEPARATOR.join(r.get("tags") or ()),
            "note": r.get("note") or "",
            "annotator": r.get("annotator") or "",
            "created": r.get("created") or "",
            "updated": r.get("updated") or "",
        })
    return out


def export_csv(records: Iterable[dict[str, Any]], articles: Mapping[str, Any]) -> str:
    """The CSV text, starting with U+FEFF (encode it as UTF-8: the BOM is then EF BB BF)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    ordered = sorted(records, key=lambda r: (r["article"], r.get("start") is not None, r.get("start") or 0,
                                             r.get("created") or ""))
    for row in rows(ordered, articles):
        writer.writerow([_cell(row[c]) if c not in ("start", "end") else row[c] for c in COLUMNS])
    return "\ufeff" + buf.getvalue()
