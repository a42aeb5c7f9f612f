"""Render ``docs/hooks.md`` from ``portal/hookspecs.py`` (``python -m portal.hookdocs``).

The contract test regenerates it and fails if the committed file differs, so the docs
always mirror the specifications exactly."""
from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from . import hookspecs

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "hooks.md"

INTRO = """# Plugin hooks

Generated from `portal/hookspecs.py` by `python -m portal.hookdocs`; a contract test keeps
the two identical. A plugin is a module or package registered through the
`portal.plugins` entry point group; mark implementations with `portal.hookimpl`:

```python
from portal import hookimpl

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


def hook_specs() -> list[tuple[str, object]]:
    return [(name, fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if name.startswith("portal_")]


def section_of(fn) -> str:
    return fn.__code__.co_firstlineno


def render() -> str:
    out = [INTRO]
    for name, fn in sorted(hook_specs(), key=lambda item: section_of(item[1])):
        opts = getattr(fn, "portal_spec", None) or {}
        first = " *(firstresult)*" if opts.get("firstresult") else ""
        signature = f"{name}{inspect.signature(fn)}"
        doc = inspect.cleandoc(fn.__doc__ or "")
        doc = re.sub(r"Example::\n\n((?:    .*\n?|\n)+)", lambda m: "Example:\n\n```python\n"
                     + inspect.cleandoc(m.group(1)) + "\n```\n", doc + "\n")
        out.append(f"## `{signature}`{first}\n\n{doc.strip()}\n")
    return "\n".join(out)


def main() -> int:
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC_PATH.name}: {len(hook_specs())} hooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
