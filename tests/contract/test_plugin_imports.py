"""The plugin boundary, in code: a plugin imports from the core only ``portal.plugin``.

Walks the syntax tree of every module under ``plugins/`` (imports inside functions
included). Migrations are frozen history and have their own contract
(``test_migration_imports.py``); here they may name only the column types of
``portal.money`` and ``portal.timeutil``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import portal.plugin

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
FRONT_DOOR = "portal.plugin"
MIGRATION_TYPES = {"portal.money", "portal.timeutil"}


def _imports(path: Path):
    """``(line, module)`` for every import of a ``portal`` module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "portal" or node.module.startswith("portal."):
                yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "portal" or alias.name.startswith("portal."):
                    yield node.lineno, alias.name


def _violations(root: Path, base: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        allowed = {FRONT_DOOR} | (MIGRATION_TYPES if "migrations" in path.parts else set())
        for line, module in _imports(path):
            if module not in allowed:
                found.append(f"{path.relative_to(base)}:{line} imports {module}")
    return found


def test_plugins_import_the_core_only_through_its_front_door():
    assert _violations(PLUGINS) == []


def test_the_check_catches_a_back_door(tmp_path):
    """The walker sees a top-level import, an import inside a function and a plain
    ``import portal.x`` — and lets the front door through."""
    pkg = tmp_path / "plugins" / "sneaky"
    pkg.mkdir(parents=True)
    (pkg / "views.py").write_text(
        "from portal.plugin import db\n"
        "from portal.audit.models import AuditEntry\n"
        "def f():\n"
        "    from portal.extensions import db\n"
        "    import portal.money\n", encoding="utf-8")
    found = _violations(tmp_path / "plugins", base=tmp_path)
    assert [v.split(" imports ")[1] for v in found] == ["portal.audit.models", "portal.extensions", "portal.money"]


@pytest.mark.parametrize("name", portal.plugin.__all__)
def test_every_name_of_the_front_door_exists(name):
    assert getattr(portal.plugin, name) is not None


def test_the_front_door_lists_what_it_exports():
    """``__all__`` is the documented surface: nothing public is exported unlisted."""
    public = {n for n, v in vars(portal.plugin).items()
              if not n.startswith("_") and not isinstance(v, type(portal)) and n != "annotations"}
    assert public == set(portal.plugin.__all__)


def test_the_front_door_is_what_the_plugins_use():
    """Every exported name is used by some plugin (no dead surface), and the
    architecture document names the module."""
    used = set()
    for path in PLUGINS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == FRONT_DOOR:
                used.update(a.name for a in node.names)
    assert set(portal.plugin.__all__) - used == set()
    assert "portal.plugin" in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
