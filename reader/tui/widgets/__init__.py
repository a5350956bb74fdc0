"""Widgets of the reader TUI."""

from reader.tui.widgets.article_view import ArticleView, Highlight

__all__ = ["ArticleView", "Highlight"]
