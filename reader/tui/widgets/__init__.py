"""Widgets of the reader TUI.

``ArticleView`` is imported on first use: the library screen's list (``article_list``) is on the path to
the first frame, the article view is not.
"""

__all__ = ["ArticleView", "Highlight"]


def __getattr__(name: str):
    if name in __all__:
        from reader.tui.widgets import article_view

        return getattr(article_view, name)
    raise AttributeError(name)
