"""Every hook is documented in docs/hooks.md with its exact signature, and tested."""
from __future__ import annotations

import inspect

from tests.conftest import ROOT
from tools.hookdocs import DOC_PATH, hook_specs, render


def test_docs_mirror_the_hookspecs():
    assert DOC_PATH.read_text(encoding="utf-8") == render(), "run: python -m tools.hookdocs"


def test_every_hook_is_documented_with_its_signature_and_an_example():
    text = DOC_PATH.read_text(encoding="utf-8")
    for name, fn in hook_specs():
        assert f"## `{name}{inspect.signature(fn)}`" in text
        assert "@hookimpl" in (fn.__doc__ or ""), f"{name} has no example"
        assert ":return:" in (fn.__doc__ or "") or "Called" in (fn.__doc__ or ""), name


def test_every_hook_has_a_test():
    files = [p for p in (ROOT / "tests").rglob("*.py") if p.name.startswith(("test_", "conftest"))]
    sources = "\n".join(p.read_text(encoding="utf-8") for p in files if p.name != "test_hook_docs.py")
    untested = [name for name, _ in hook_specs() if name not in sources]
    assert untested == []
