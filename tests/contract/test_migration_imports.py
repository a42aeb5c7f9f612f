"""Frozen history: a migration carries its own SQL and imports no application code.

A revision runs against the code of the day it is applied, not the day it was written: a
migration that imports ``plugins.*`` or ``portal.*`` (a trigger's SQL, a helper, a model)
silently changes what an old revision does whenever that code changes. So every file under
``migrations/versions`` and ``plugins/*/migrations/versions`` may import only Alembic,
SQLAlchemy, the standard library and the portal's column types (``portal.money.Money``,
``portal.timeutil.AwareDateTime``). The whole tree of each file is walked, so an import
inside a function body counts as well, and so does ``importlib.import_module`` /
``__import__``.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parents[2]

LIBRARIES = {"alembic", "sqlalchemy"}
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
# the column-type modules and the names a migration may take from them (types of columns)
COLUMN_TYPES = {"portal.money": {"Money"}, "portal.timeutil": {"AwareDateTime"}}
# A data migration that needs a library besides SQL, with the libraries it may import (never
# the application's own code): 0005 seals the webhook secrets with Fernet (cryptography)
# under the running app's SECRET_KEY (flask.current_app.config).
EXTRA_LIBRARIES = {
    "migrations/versions/0005_sealed_webhook_secrets.py": {"cryptography", "flask"},
}


def migration_files() -> list[Path]:
    return sorted([*ROOT.glob("migrations/versions/*.py"), *ROOT.glob("plugins/*/migrations/versions/*.py")])


def _allowed_module(module: str, extra: set[str]) -> bool:
    top = module.split(".")[0]
    return top in LIBRARIES or top in STDLIB or top in extra


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def import_problems(source: str, name: str, extra: set[str] = frozenset()) -> list[str]:
    """Each import of ``source`` that a migration may not make, as ``name:line: …``."""
    tree = ast.parse(source, filename=name)
    problems: list[str] = []
    # how the code names a column-type module: "portal.money" (import portal.money),
    # "money" (from portal import money), an alias (import portal.money as m)
    spelled: dict[str, str] = {}

    def bad(node: ast.AST, what: str) -> None:
        problems.append(f"{name}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in COLUMN_TYPES:
                    spelled[alias.asname or alias.name] = alias.name
                elif alias.name == "portal" or alias.name.startswith("portal."):
                    bad(node, f"imports {alias.name} (application code; of portal only the column types "
                              f"{', '.join(sorted(COLUMN_TYPES))})")
                elif not _allowed_module(alias.name, extra):
                    bad(node, f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                bad(node, f"imports {'.' * node.level}{module} (a relative import)")
            elif module in COLUMN_TYPES:
                for alias in node.names:
                    if alias.name not in COLUMN_TYPES[module]:
                        bad(node, f"imports {module}.{alias.name} (not a column type)")
            elif module == "portal":
                for alias in node.names:
                    full = f"portal.{alias.name}"
                    if full in COLUMN_TYPES:
                        spelled[alias.asname or alias.name] = full
                    else:
                        bad(node, f"imports {full} (application code)")
            elif not _allowed_module(module, extra):
                bad(node, f"imports {module}")
        elif isinstance(node, ast.Call):
            func = _dotted(node.func) or ""
            if func == "__import__" or func.split(".")[-1] == "import_module":
                bad(node, f"imports dynamically ({func})")
    # ``import portal.money`` binds ``portal``: through it, only the column-type modules, and
    # of those only the column types
    modules_via_portal = {m.split(".", 1)[1] for s, m in spelled.items() if s == m}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = _dotted(node.value)
        if owner in spelled and node.attr not in COLUMN_TYPES[spelled[owner]]:
            bad(node, f"uses {spelled[owner]}.{node.attr} (not a column type)")
        elif owner == "portal" and modules_via_portal and node.attr not in modules_via_portal:
            bad(node, f"uses portal.{node.attr} (application code)")
    return problems


def _check(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    return import_problems(path.read_text(encoding="utf-8"), rel, EXTRA_LIBRARIES.get(rel, set()))


def test_the_migrations_are_found():
    files = {p.relative_to(ROOT).as_posix() for p in migration_files()}
    assert "migrations/versions/0001_core.py" in files
    assert "plugins/garages/migrations/versions/garages_0003_quote_counts.py" in files
    assert set(EXTRA_LIBRARIES) <= files, "an exception for a migration that is not there"


@pytest.mark.parametrize("path", migration_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_migration_imports_no_application_code(path):
    problems = _check(path)
    assert not problems, "a migration imports more than Alembic, SQLAlchemy, the standard library " \
                         "and the column types:\n" + "\n".join(problems)


@pytest.mark.parametrize("source, expected", [
    ("from plugins.garages.quote_counts import REFILL_SQL", "x.py:1: imports plugins.garages.quote_counts"),
    ("def upgrade():\n    from plugins.garages import quote_counts\n",
     "x.py:2: imports plugins.garages"),
    ("def downgrade():\n    if True:\n        import plugins.garages.quote_marks\n",
     "x.py:3: imports plugins.garages.quote_marks"),
    ("from portal.audit.models import PG_APPEND_ONLY_SQL", "x.py:1: imports portal.audit.models"),
    ("import portal.ops.sealing", "x.py:1: imports portal.ops.sealing"),
    ("from portal import extensions", "x.py:1: imports portal.extensions"),
    ("from portal.money import request_decimal", "x.py:1: imports portal.money.request_decimal"),
    ("import portal.money\nx = portal.money.request_decimal('1')", "x.py:2: uses portal.money.request_decimal"),
    ("import portal.money\nx = portal.extensions.db", "x.py:2: uses portal.extensions"),
    ("from portal import money\nx = money.MoneyError", "x.py:2: uses portal.money.MoneyError"),
    ("from flask import current_app", "x.py:1: imports flask"),
    ("from . import helpers", "x.py:1: imports . (a relative import)"),
    ("import importlib\nm = importlib.import_module('plugins.garages')", "x.py:2: imports dynamically"),
    ("m = __import__('plugins.garages')", "x.py:1: imports dynamically"),
])
def test_the_check_finds_application_imports(source, expected):
    problems = import_problems(source, "x.py")
    assert any(p.startswith(expected) for p in problems), problems


def test_the_check_lets_column_types_and_libraries_pass():
    source = (
        "import json\nfrom datetime import datetime\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n"
        "from alembic import op\nimport portal.money\nimport portal.timeutil\nfrom portal.money import Money\n"
        "from portal.timeutil import AwareDateTime\n"
        "def upgrade():\n    import re\n"
        "    op.add_column('t', sa.Column('a', portal.money.Money()))\n"
        "    op.add_column('t', sa.Column('b', portal.timeutil.AwareDateTime()))\n"
    )
    assert import_problems(source, "x.py") == []
