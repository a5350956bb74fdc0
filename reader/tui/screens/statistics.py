"""The statistics screen (key `i`): pictures of what was coded.

Tabs (keys `1`-`5`, or tab/arrows on the tab bar): tag frequencies as bars and annotations per week
(both drawn by ``textual-plotext``, the plotting widget for Textual), the most annotated articles, which
tags occur together (overlapping passages / same article), and the coders with their agreement
(Krippendorff's alpha, ``reader.agreement``). The figures come from ``reader.stats``; nothing is
computed here.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from reader.agreement import agree, annotators
from reader.display import field, one_line
from reader.stats import Stats, compute

TABS = ("tags", "weeks", "articles", "together", "coders")


def _integer_ticks(top: int) -> list[int]:
    step = max(1, -(-top // 6))
    return list(range(0, top + step, step))


class StatisticsScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="statistics.back"),
        *[Binding(str(i + 1), f"show('{tab}')", tab.capitalize(), id=f"statistics.{tab}")
          for i, tab in enumerate(TABS)],
    ]
    CSS_PATH = "statistics.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.stats = Stats()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="statistics-header")
            with TabbedContent(initial="tags"):
                with TabPane("1 Tags", id="tags"):
                    yield PlotextPlot(id="plot-tags")
                with TabPane("2 Weeks", id="weeks"):
                    yield PlotextPlot(id="plot-weeks")
                with TabPane("3 Articles", id="articles"):
                    yield DataTable(id="table-articles", cursor_type="row", zebra_stripes=True)
                with TabPane("4 Together", id="together"):
                    yield DataTable(id="table-together", cursor_type="row", zebra_stripes=True)
                with TabPane("5 Coders", id="coders"):
                    yield DataTable(id="table-coders", cursor_type="row", zebra_stripes=True)
                    yield Static(classes="statistics-note", id="coders-note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        session = self.app.session
        records = session.all_annotations()
        articles = {a.id: a for a in self.app.articles}
        self.stats = compute(records, articles)
        s = self.stats
        annotated = len({r["article"] for r in records})
        self.query_one("#statistics-header", Static).update(Content(
            f"Statistics — {s.total} annotation{'s' if s.total != 1 else ''} · {len(s.tags)} "
            f"tag{'s' if len(s.tags) != 1 else ''} · {annotated} article{'s' if annotated != 1 else ''} annotated"))
        self._plot_tags()
        self._plot_weeks()
        self._fill_articles()
        self._fill_together()
        self._fill_coders(records, articles)

    def on_resize(self) -> None:
        self._plot_tags()  # as many bars as the height allows

    # --- the pictures ---------------------------------------------------------------------------------

    def _plot_tags(self) -> None:
        widget = self.query_one("#plot-tags", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        room = max(3, (self.size.height or 24) - 8)
        top = self.stats.tags[:room]
        if top:
            plt.bar([one_line(t, 24) for t, _ in reversed(top)], [n for _, n in reversed(top)],
                    orientation="horizontal", width=0.6)
            plt.xticks(_integer_ticks(max(n for _, n in top)))
        plt.title("Annotations per tag" + (f" (top {len(top)} of {len(self.stats.tags)})"
                                            if len(top) < len(self.stats.tags) else ""))
        widget.refresh()

    def _plot_weeks(self) -> None:
        widget = self.query_one("#plot-weeks", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        weeks = self.stats.weeks[-26:]
        if weeks:
            plt.bar([w[2:] for w, _ in weeks], [n for _, n in weeks], width=0.6)  # "26-W48"
            plt.yticks(_integer_ticks(max(n for _, n in weeks)))
        plt.title("Annotations created per week" + (" (last 26)" if len(self.stats.weeks) > 26 else ""))
        widget.refresh()

    def _fill_articles(self) -> None:
        table = self.query_one("#table-articles", DataTable)
        table.add_columns("Count", "Article", "Id")
        for article, title, n in self.stats.articles:
            table.add_row(f"{n:>5}", one_line(title, 60), field(article))

    def _fill_together(self) -> None:
        table = self.query_one("#table-together", DataTable)
        table.add_columns("Overlapping", "In same article", "Tags")
        same = dict(self.stats.same_article)
        overlap = dict(self.stats.overlap)
        pairs = list(dict.fromkeys([p for p, _ in self.stats.overlap] + [p for p, _ in self.stats.same_article]))
        for pair in pairs:
            table.add_row(f"{overlap.get(pair, 0):>11}", f"{same.get(pair, 0):>15}", one_line(" + ".join(pair), 70))

    def _fill_coders(self, records, articles) -> None:
        table = self.query_one("#table-coders", DataTable)
        note = self.query_one("#coders-note", Static)
        names = annotators(records)
        if len(names) < 2:
            table.add_columns("Annotations", "Annotator")
            for who, n in self.stats.annotators:
                table.add_row(f"{n:>11}", field(who) or "(unknown)")
            note.update(Content("Agreement needs two annotators on the same articles "
                                "(each record names its annotator: the config's user)."))
            return
        counts = dict(self.stats.annotators)
        a, b = sorted(names, key=lambda w: (-counts.get(w, 0), w))[:2]
        result = agree(records, a, b, {aid: len(art.text) for aid, art in articles.items()})
        table.add_columns("Alpha", "Both", f"Only {one_line(a, 12)}", f"Only {one_line(b, 12)}", "Tag")
        for t in result.tags:
            table.add_row("  n/a" if t.alpha is None else f"{round(t.alpha, 2) + 0.0:5.2f}", f"{t.both:>6}", f"{t.only_a:>8}",
                          f"{t.only_b:>8}", one_line(t.tag, 40))
        note.update(Content(f"{a} and {b} on the {len(result.articles)} article(s) both annotated; "
                            f"Krippendorff's alpha on characters. `reader agree A B` for other pairs."))

    # --- keys -----------------------------------------------------------------------------------------

    def action_show(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_back(self) -> None:
        self.app.pop_screen()
