"""Reading one plugin teaches all: every plugin has the files of the documented shape,
and a module beyond them only by a name listed in ``docs/architecture.md``."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PROJECT_PLUGINS, ROOT

REQUIRED = ("__init__.py", "hooks.py", "config.py", "models.py", "schemas.py", "api.py", "forms.py",
            "views.py", "metrics.py", "notices.py", "demo.py")
OPTIONAL = {"hookspecs.py", "static", "services", "services.py", "templates", "translations", "migrations",
            "__pycache__"}


def _listed_extras() -> dict[str, set[str]]:
    """The table of extra modules in docs/architecture.md: plugin → module names."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("A module beyond these is named here", 1)[1].split("\n\n", 2)[1]
    extras = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        extras[cells[0]] = set(re.findall(r"`(\w+)`", cells[1]))
    return extras


@pytest.mark.parametrize("name", sorted(PROJECT_PLUGINS))
def test_a_plugin_has_the_documented_files(name):
    folder = ROOT / "plugins" / name
    present = {p.name for p in folder.iterdir()}
    assert [f for f in REQUIRED if f not in present] == []
    assert ("services.py" in present) != ("services" in present), "services.py or a services/ package"
    assert (folder / "templates" / name).is_dir()
    assert (folder / "translations" / "zh" / "LC_MESSAGES" / "messages.po").is_file()
    assert list((folder / "migrations" / "versions").glob(f"{name}_0001_*.py"))


@pytest.mark.parametrize("name", sorted(PROJECT_PLUGINS))
def test_a_plugins_other_modules_are_listed_by_name(name):
    folder = ROOT / "plugins" / name
    listed = _listed_extras()[name]
    extra = {p.stem for p in folder.iterdir() if p.name not in REQUIRED and p.name not in OPTIONAL}
    assert extra == listed, f"{name}: not listed {sorted(extra - listed)}, listed but absent {sorted(listed - extra)}"


def test_every_plugin_is_in_the_table():
    assert set(_listed_extras()) == set(PROJECT_PLUGINS)


def test_notifications_and_state_machines_follow_one_convention():
    """Each plugin's notices.py has ``on_event``; every state machine's name ends in _FLOW."""
    import ast
    import importlib

    for name in PROJECT_PLUGINS:
        assert callable(importlib.import_module(f"plugins.{name}.notices").on_event)
    for path in [*(ROOT / "portal").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                    and getattr(node.value.func, "id", None) == "StateMachine":
                assert all(t.id.endswith("_FLOW") for t in node.targets), f"{path}:{node.lineno}"
