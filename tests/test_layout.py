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


def test_core_imports_no_product_app():
    """core holds what every app uses; it knows none of the product's apps."""
    found = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in _python_files(ROOT / "core")
        for name in imported_modules(path)
        if _top(name) in PRODUCT_APPS
    )
    assert found == [], "core must not import a product app"


def test_core_has_no_seeding_and_no_import_of_seeding():
    seeding = {
        (str(path.relative_to(ROOT)), name)
        for path in _python_files(ROOT / "core")
        for name in imported_modules(path)
        if _top(name) in PRODUCT_APPS and name.split(".")[-1] in {"demo", "demo_records"}
    }
    assert seeding == set()
    assert not (ROOT / "core" / "management" / "commands" / "seed_demo.py").exists()


def _is_views(module: str) -> bool:
    last = module.split(".")[-1]
    return last == "views" or last.endswith("_views")


def _is_urls(module: str) -> bool:
    last = module.split(".")[-1]
    return last == "urls" or last.endswith("_urls")


def test_only_urls_import_views():
    """Layers point one way: views are reached through urls; tasks, services, selectors
    and commands never call a view."""
    ours = {path.parts[0] for path in (p.relative_to(ROOT) for p in _python_files(ROOT))}
    offenders = []
    for path in _python_files(ROOT):
        module = _module_of(path)
        if _is_urls(module):
            continue
        for name in imported_modules(path):
            if _top(name) not in ours:
                continue
            parts = name.split(".")
            if any(_is_views(".".join(parts[: i + 1])) for i in range(len(parts))):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


# Where the role assignments may be touched: the permissions module reads them for every
# question about what a user may do; the accounts app writes them (services, imports,
# admin) and lists them as data on its management pages (selectors).
ROLE_READER = "accounts/permissions.py"
ROLE_KEEPERS = {
    "accounts/models.py",
    "accounts/roles.py",
    "accounts/services.py",
    "accounts/selectors.py",
    "accounts/org_import.py",
    "accounts/resources.py",
    "accounts/admin.py",
    "accounts/forms.py",
    "accounts/views.py",
}
ROLE_NAMES = {"office", "leader", "secretary", "member", "viewer"}


def _role_reads(path: Path) -> list[str]:
    """Names and strings in a module that read roles: the grants, the assignments, the
    ``Role`` choices, or a role's name written as a string (URL names excepted)."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    url_names = {
        id(kw.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "name"
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in {"grants_of", "RoleAssignment", "Role"}:
            found.append(f"{node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in {"grants_of", "role_assignments"}:
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg and "role_assignments" in node.arg:
            found.append(f"{node.value.lineno}: {node.arg}=")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "role_assignments" in node.value or "_scope_grants" in node.value:
                found.append(f"{node.lineno}: {node.value!r}")
            elif node.value in ROLE_NAMES and id(node) not in url_names:
                found.append(f"{node.lineno}: {node.value!r}")
    return found


def test_roles_are_read_only_by_the_permissions_module():
    """One reader of roles: every view, service, selector, export, report and task asks
    accounts/permissions.py, which reads the permission table of accounts/roles.py."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _python_files(ROOT)
        if path.relative_to(ROOT).parts[0] not in {"demo", "config"}
        and "migrations" not in path.parts
        and str(path.relative_to(ROOT)) not in {ROLE_READER, *ROLE_KEEPERS}
        for line in _role_reads(path)
    ]
    assert offenders == []


def test_grants_are_read_by_the_permissions_module_alone():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files(ROOT)
        if str(path.relative_to(ROOT)) != ROLE_READER
        and any(": grants_of" in line or "_scope_grants" in line for line in _role_reads(path))
    ]
    assert offenders == []


def test_the_role_check_catches_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from accounts.permissions import grants_of\n"
        "ok = [g for g in grants_of(u) if g.role == 'office']\n"
        "path('x/', v, name='leader')\n"
        "q = User.objects.filter(role_assignments__role=Role.LEADER)\n",
        encoding="utf-8",
    )
    found = _role_reads(sample)
    assert any("grants_of" in f for f in found)
    assert any("'office'" in f for f in found)
    assert not any("'leader'" in f for f in found)
    assert any("role_assignments" in f for f in found)
    assert any(": Role" in f for f in found)


def _documented_modules() -> set[str]:
    """The modules of the tree in docs/architecture.md ("## Layout", two spaces a level)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    stack: list[str] = []
    found = set()
    for line in block.splitlines():
        if not line.strip():
            continue
        level = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        stack = stack[:level]
        if name.endswith("/"):
            stack.append(name.rstrip("/"))
        else:
            found.add("/".join([*stack, name]))
    return found


def test_the_architecture_tree_names_every_module():
    """docs/architecture.md shows the layout as a tree, one line per module: it stays true."""
    modules = {
        str(path.relative_to(ROOT))
        for path in _python_files(ROOT)
        if "migrations" not in path.parts
        and path.name != "apps.py"
        and not (path.name == "__init__.py" and not path.read_text(encoding="utf-8").strip())
    }
    documented = _documented_modules()
    assert sorted(modules - documented) == [], "add these modules to docs/architecture.md"
    assert sorted(documented - modules) == [], "these modules are gone: strike them"
