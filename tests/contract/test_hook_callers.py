"""Every hook has a caller in production code: a hook nobody calls is dead surface.

"Tested" in ``test_hook_docs.py`` means a test names the hook; here a module of the core
or of a plugin (not a test, not a spec) must call it, as ``hook().portal_x(...)`` or
``pm.hook.portal_x(...)``.
"""
from __future__ import annotations

import ast

from tests.conftest import ROOT
from tools.hookdocs import hook_specs


def _called_hooks() -> dict[str, list[str]]:
    calls: dict[str, list[str]] = {}
    for path in [*(ROOT / "portal").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        if path.name == "hookspecs.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr.startswith("portal_"):
                calls.setdefault(node.func.attr, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return calls


def test_every_hook_is_called_by_production_code():
    called = _called_hooks()
    assert [name for name, _ in hook_specs() if name not in called] == []


def test_nothing_calls_a_hook_that_does_not_exist():
    names = {name for name, _ in hook_specs()}
    assert {name: where for name, where in _called_hooks().items() if name not in names} == {}
