"""Render ``docs/hooks.md`` from ``portal/hookspecs.py`` and the hooks the bundled plugins
publish (``plugins/<name>/hookspecs.py``) (``python -m tools.hookdocs``, run from the
repository root).

The contract test regenerates it and fails if the committed file differs, so the docs
always mirror the specifications exactly."""
from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

from portal import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "hooks.md"

INTRO = """# Plugin hooks

Generated from `portal/hookspecs.py` and `plugins/<name>/hookspecs.py` by
`python -m tools.hookdocs`; a contract test keeps them identical. A plugin is a module or
package registered through the `portal.plugins` entry point group; mark implementations
with `hookimpl` from the plugins' front door, `portal.plugin`:

```python
from portal.plugin import hookimpl

@hookimpl
def portal_nav_items(user):
    ...
```

Every installed plugin loads unless its name is listed in `DISABLED_PLUGINS`; a disabled
plugin is never imported. The core registers its own defaults through these same hooks
(`portal.plugins.CORE_PLUGINS`). Hooks that return lists are *gathered*: the core calls
every implementation and concatenates the results; `firstresult` hooks stop at the first
implementation that returns something other than `None`.
"""


PUBLISHED = """# Hooks published by plugins

A plugin publishes the hooks it *calls* through `portal_addhookspecs`; they exist only
while that plugin is installed. An implementer that may be installed without the
publisher marks its implementation `@hookimpl(optionalhook=True)`.
"""


def publishers() -> list[tuple[str, object]]:
    """``(plugin name, its hookspecs module)`` for every bundled plugin that publishes hooks."""
    return [(path.parent.name, importlib.import_module(f"plugins.{path.parent.name}.hookspecs"))
            for path in sorted((ROOT / "plugins").glob("*/hookspecs.py"))]


def _specs(module) -> list[tuple[str, object]]:
    return sorted(((name, fn) for name, fn in inspect.getmembers(module, inspect.isfunction)
                   if name.startswith("portal_") and fn.__module__ == module.__name__),
                  key=lambda item: section_of(item[1]))


def hook_specs() -> list[tuple[str, object]]:
    """Every hook: the core's, then each publishing plugin's."""
    return _specs(hookspecs) + [spec for _, module in publishers() for spec in _specs(module)]


def section_of(fn) -> int:
    return fn.__code__.co_firstlineno


def _section(name: str, fn, level: str) -> str:
    opts = getattr(fn, "portal_spec", None) or {}
    first = " *(firstresult)*" if opts.get("firstresult") else ""
    signature = f"{name}{inspect.signature(fn)}"
    doc = inspect.cleandoc(fn.__doc__ or "")
    doc = re.sub(r"Example::\n\n((?:    .*\n?|\n)+)", lambda m: "Example:\n\n```python\n"
                 + inspect.cleandoc(m.group(1)) + "\n```\n", doc + "\n")
    return f"{level} `{signature}`{first}\n\n{doc.strip()}\n"


def render() -> str:
    out = [INTRO]
    out.extend(_section(name, fn, "##") for name, fn in _specs(hookspecs))
    out.append(PUBLISHED)
    for plugin, module in publishers():
        out.append(f"## Published by `{plugin}` (`plugins/{plugin}/hookspecs.py`)\n\n"
                   f"{inspect.cleandoc(module.__doc__ or '')}\n")
        out.extend(_section(name, fn, "###") for name, fn in _specs(module))
    return "\n".join(out)


def main() -> int:
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC_PATH.name}: {len(hook_specs())} hooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
