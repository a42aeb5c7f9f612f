"""Lines of performance machinery (issue 20), counted the same way before and after.

Two measures of the same files and functions, read from git at any revision:
``lines`` (every physical line of the counted files and definitions, docstrings and
comments included — how the first sitting counted) and ``code`` (lines holding code:
no blank line, comment or docstring).

    .venv/bin/python bench/machinery_lines.py                  # before (9293bf8) and now
    .venv/bin/python bench/machinery_lines.py --rev HEAD~3
"""
from __future__ import annotations

import argparse
import ast
import io
import subprocess
import tokenize

BEFORE_REV = "9293bf8"
# file → names of the top-level definitions counted (None: the whole file)
BEFORE = {
    "plugins/garages/quote_counts.py": None, "plugins/garages/quote_marks.py": None,
    "plugins/garages/triggers.py": None, "portal/api/page_cache.py": None, "portal/auth/token_lookup.py": None,
    "portal/pool.py": None, "portal/read_only.py": None, "portal/sqlite_writes.py": None,
    "portal/api/access.py": {"read_with_token", "token_columns", "token_extras"},
    "portal/statemachine.py": {"update_record", "_references", "_returnable_columns"},
    "portal/app.py": {"_tune_engine"},
}
NOW = {
    "plugins/garages/quote_stats.py": None, "portal/db/__init__.py": None, "portal/db/changes.py": None,
    "portal/db/engine.py": None, "portal/db/page_cache.py": None, "portal/db/read_only.py": None,
    "portal/db/records.py": None, "portal/db/sqlite_queue.py": None,
    # the kept principal and the guard that confirms it (the Principal itself is authentication)
    "portal/auth/principal.py": {"Kept", "NEVER", "resolve", "_cache", "principal_for", "forget"},
    "portal/api/access.py": {"principal_changed", "_guarded"},
}


def _spans(tree: ast.Module, names: set[str] | None) -> set[int] | None:
    if names is None:
        return None
    lines: set[int] = set()
    for node in tree.body:
        targets = [node.name] if hasattr(node, "name") else [t.id for t in getattr(node, "targets", [])
                                                              if isinstance(t, ast.Name)]
        if names & set(targets):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            lines.update(range(first, node.end_lineno + 1))
    return lines


def count(source: str, names: set[str] | None) -> tuple[int, int]:
    """``(lines, code lines)`` of ``source`` (only the definitions ``names``, when given)."""
    tree = ast.parse(source)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    skipped = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    code = {line for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type not in skipped
            for line in range(tok.start[0], tok.end[0] + 1)} - docstrings
    spans = _spans(tree, names)
    if spans is None:
        return len(source.splitlines()), len(code)
    return len(spans), len(code & spans)


def measure(rev: str | None, files: dict) -> tuple[int, int]:
    total_lines = total_code = 0
    for path, names in files.items():
        source = (subprocess.run(["git", "show", f"{rev}:{path}"], check=True, capture_output=True, text=True).stdout
                  if rev else open(path, encoding="utf-8").read())
        lines, code = count(source, names)
        print(f"  {path}{' (' + ', '.join(sorted(names)) + ')' if names else ''}: {lines} lines, {code} code")
        total_lines += lines
        total_code += code
    return total_lines, total_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="count the current list at this revision (default: the work tree)")
    args = parser.parse_args()
    print(f"before ({BEFORE_REV}):")
    before = measure(BEFORE_REV, BEFORE)
    print(f"now ({args.rev or 'work tree'}):")
    now = measure(args.rev, NOW)
    print(f"lines: {before[0]} before, {now[0]} now; code lines: {before[1]} before, {now[1]} now")


if __name__ == "__main__":
    main()
