"""Who may import what, checked statically (import-linter) and at run time.

The contracts are built here from the package listing, not written by hand, so a new core module is
covered the day it is added:

* the core (every module of ``reader`` except the command line and the TUI) never imports Textual or
  ``reader.tui``: it is used the same way by the CLI, the TUI and the tests;
* ``reader.tui`` never imports TinyDB itself: it reaches the database only through the core (the store).
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import reader
from tests.helpers import REPO

NOT_CORE = {"reader.cli", "reader.__main__", "reader.tui"}


def core_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(reader.__path__, "reader.")
             if not m.name.startswith("reader.tui")]
    return sorted(n for n in names if n not in NOT_CORE)


def _contracts(core: list[str]) -> str:
    listed = ",\n".join(f'    "{m}"' for m in core)
    return f"""[tool.importlinter]
root_packages = ["reader"]
include_external_packages = true

[[tool.importlinter.contracts]]
name = "The core never imports Textual or the TUI"
type = "forbidden"
source_modules = [
{listed}
]
forbidden_modules = ["textual", "reader.tui"]
allow_indirect_imports = false

[[tool.importlinter.contracts]]
name = "The TUI never imports TinyDB"
type = "forbidden"
source_modules = ["reader.tui"]
forbidden_modules = ["tinydb"]
allow_indirect_imports = true
"""


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_core_listing_is_complete():
    # every file under reader/, subpackages included (reader/search/), is in the walked listing
    core = core_modules()
    on_disk = {_module_name(p) for p in (REPO / "reader").rglob("*.py")}
    on_disk = {m for m in on_disk if not m.startswith("reader.tui")} - NOT_CORE - {"reader"}
    assert on_disk <= set(core)  # subpackages too (reader.search, reader.textview)
    assert "reader.store" in core and "reader.cli" not in core
    assert {"reader.search", "reader.search.index", "reader.search.typeahead"} <= set(core)
    assert "reader.textview.layout" in core


def test_import_linter_contracts_hold(tmp_path: Path):
    config = tmp_path / "importlinter.toml"
    config.write_text(_contracts(core_modules()))
    beside = Path(sys.executable).with_name("lint-imports")
    exe = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert exe, "import-linter is not installed (pip install -e '.[test]')"
    cmd = [exe]
    result = subprocess.run(cmd + [str(config)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("KEPT") == 2 and "BROKEN" not in result.stdout


def test_core_and_cli_do_not_load_textual_at_run_time():
    # The CLI's subcommands must start fast, so importing it may not pull Textual in either.
    code = ("import sys\n"
            f"for m in {core_modules() + ['reader.cli']!r}: __import__(m)\n"
            "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'reader.tui')))\n"
            "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core imported: {result.stdout.strip()}"


def test_the_first_frame_loads_no_store_session_or_search():
    # The library's first frame needs the app, its default screen and the catalogue; the store, the
    # session (anchoring, rapidfuzz) and the search are opened after it, in a worker.
    code = ("import sys\n"
            "import reader.tui.app, reader.tui.screens.library, reader.library\n"
            "heavy = ('reader.store', 'reader.session', 'reader.anchoring', 'reader.search', 'reader.tui.editing',"
            " 'tinydb', 'filelock', 'rapidfuzz')\n"
            "bad = sorted(m for m in sys.modules if m in heavy or m.startswith(tuple(h + '.' for h in heavy)))\n"
            "print(','.join(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"loaded before the first frame: {result.stdout.strip()}"
