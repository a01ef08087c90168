"""Layout contracts (DESIGN.md "Layout"): which parts of the project may import which.

The imports are read from the source with ``ast`` (module level and inside functions, and
``importlib.import_module("…")`` with a literal name), so a contract cannot be dodged by
importing late.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", ".git", ".pgdata", "node_modules", "var", "tests"}
# The apps of the product that core, the shared building blocks, must not depend on.
PRODUCT_APPS = {
    "campaign",
    "research",
    "rectification",
    "supervision",
    "notifications",
    "reports",
    "dashboard",
    "demo",
}


def _python_files(top: Path) -> Iterator[Path]:
    for path in sorted(top.rglob("*.py")):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package=package)


def imports_in(source: str, *, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def test_imports_are_read_wherever_and_however_they_are_written():
    source = """
import demo.small
from .defaults import PROBLEM_CATEGORIES
from .. import reports


def late():
    from campaign import models
    importlib.import_module("demo.city")
"""
    found = {_top(name) for name in imports_in(source, package="core.management")}
    assert found == {"demo", "core", "campaign"}
    assert "core.management.defaults" in imports_in(source, package="core.management")
    assert "core.reports" in imports_in(source, package="core.management")
    assert _module_of(ROOT / "core" / "management" / "__init__.py") == "core.management"


def test_no_product_module_imports_demo():
    """Demo and benchmark data live in demo/; only demo itself and the tests import it."""
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _python_files(ROOT)
        if path.relative_to(ROOT).parts[0] != "demo"
        for name in sorted(imported_modules(path))
        if _top(name) == "demo"
    ]
    assert offenders == []


def test_no_demo_or_seed_code_left_in_the_product_apps():
    leftovers = [
        str(path.relative_to(ROOT))
        for path in _python_files(ROOT)
        if path.relative_to(ROOT).parts[0] != "demo"
        and (path.stem in {"demo", "demo_records"} or "seed" in path.stem)
    ]
    assert leftovers == []


# Imports of product apps still in core, each to be removed by the move of the page it
# serves (the home page and the navigation, issue 14). The test fails when a line here no
# longer matches, so the list only shrinks; nothing may be added to it.
CORE_IMPORTS_LEFT = {
    ("core/context_processors.py", "campaign"),
    ("core/context_processors.py", "notifications"),
    ("core/views.py", "campaign"),
}


def test_core_imports_no_product_app():
    found = {
        (str(path.relative_to(ROOT)), _top(name))
        for path in _python_files(ROOT / "core")
        for name in imported_modules(path)
        if _top(name) in PRODUCT_APPS
    }
    assert found - CORE_IMPORTS_LEFT == set(), "core must not import a product app"
    assert CORE_IMPORTS_LEFT - found == set(), "an import is gone: strike it from the list"


def test_core_has_no_seeding_and_no_import_of_seeding():
    seeding = {
        (str(path.relative_to(ROOT)), name)
        for path in _python_files(ROOT / "core")
        for name in imported_modules(path)
        if _top(name) in PRODUCT_APPS and name.split(".")[-1] in {"demo", "demo_records"}
    }
    assert seeding == set()
    assert not (ROOT / "core" / "management" / "commands" / "seed_demo.py").exists()
