"""One styling scheme: every `.tcss` file and every `DEFAULT_CSS` of `reader.tui`, parsed as Textual parses them.

- No selector sets the same property twice, in one file or across files: a second declaration silently wins
  or loses by load order, and the first one misleads whoever reads it.
- Screens keep their styles in `.tcss` files (named by `CSS_PATH`); `DEFAULT_CSS` is for reusable widgets.
- Every file a `CSS_PATH` names exists, and every `.tcss` is named by one (no dead stylesheet).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from pathlib import Path

from textual.app import App
from textual.css.parse import parse
from textual.css.tokenize import tokenize_values
from textual.screen import Screen

import reader.tui

TUI = Path(reader.tui.__file__).parent


def _classes():
    """Every class defined in a module of reader.tui (imported, so every module is seen)."""
    for info in pkgutil.walk_packages(reader.tui.__path__, "reader.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__:
                yield cls


def _css_paths(cls) -> list[Path]:
    """The files a class's own CSS_PATH names, resolved as Textual does (relative to its module)."""
    paths = cls.__dict__.get("CSS_PATH")
    if paths is None:
        return []
    base = Path(inspect.getfile(cls)).parent
    return [base / p for p in ([paths] if isinstance(paths, (str, Path)) else paths)]


def _sources():
    """(where, css text, scope, is default css) for every stylesheet of the app."""
    for path in sorted(TUI.rglob("*.tcss")):
        yield str(path.relative_to(TUI)), path.read_text(encoding="utf-8"), "", False
    for cls in _classes():
        css = cls.__dict__.get("DEFAULT_CSS")
        if css:
            scope = cls._css_type_name if cls.__dict__.get("SCOPED_CSS", True) else ""
            yield f"{cls.__module__}.{cls.__name__}.DEFAULT_CSS", css, scope, True


def declarations(sources) -> dict[tuple[str, str], list[str]]:
    """(selector, property) → where each declaration of it is; a selector list counts once per selector."""
    variables = tokenize_values(App().get_css_variables())
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for where, css, scope, is_default in sources:
        for rule in parse(scope, css, (where, ""), variable_tokens=variables, is_default_rules=is_default):
            assert not rule.errors, f"{where}: {rule.errors}"
            for selector_set in rule.selector_set:
                for prop in rule.styles.get_rules():
                    if prop.startswith("auto_"):  # Textual's companion of color/background, set with it
                        continue
                    found[(selector_set.css, prop)].append(where)
    return found


def duplicates(sources) -> list[str]:
    return sorted(f"{selector} {{ {prop} }} declared in {', '.join(where)}"
                  for (selector, prop), where in declarations(sources).items() if len(where) > 1)


def test_no_selector_declares_a_property_twice():
    assert duplicates(_sources()) == []


def test_the_check_finds_a_repeated_selector_in_one_file_and_across_files():
    one_file = "#header { height: 1; color: $text-muted; }\n#header { color: $text; text-style: bold; }"
    assert duplicates([("a.tcss", one_file, "", False)]) == [
        "#header { color } declared in a.tcss, a.tcss"]
    listed = "#a, #b { border: none; }"
    found = duplicates([("a.tcss", listed, "", False), ("b.tcss", "#b { border-left: thick $accent; }", "", False)])
    assert found == ["#b { border_left } declared in a.tcss, b.tcss"]
    assert duplicates([("a.tcss", "#a { height: 1; } #b { height: 1; }", "", False)]) == []


def test_screens_have_no_default_css():
    screens = [cls.__qualname__ for cls in _classes()
               if issubclass(cls, Screen) and cls.__dict__.get("DEFAULT_CSS")]
    assert screens == [], "a screen's styles belong in a .tcss file named by its CSS_PATH"


def test_every_stylesheet_is_named_and_every_name_exists():
    named = {path.resolve() for cls in _classes() for path in _css_paths(cls)}
    missing = sorted(str(p) for p in named if not p.is_file())
    assert missing == []
    unused = sorted(str(p.relative_to(TUI)) for p in TUI.rglob("*.tcss") if p.resolve() not in named)
    assert unused == []
