"""The plugin system: entry points, a third-party plugin, DISABLED_PLUGINS, fail fast."""
from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import PASSWORD, ROOT, base_config, fresh_database_url

SAMPLE_DIST = Path(__file__).parent / "sample_dist"


def setup_cfg_entry_points() -> dict[str, str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    raw = cfg["options.entry_points"]["portal.plugins"]
    return dict(line.replace(" ", "").split("=", 1) for line in raw.strip().splitlines())


def test_entry_points_match_plugin_folders():
    folders = {p.name for p in (ROOT / "plugins").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    eps = setup_cfg_entry_points()
    assert set(eps) == folders
    for name, target in eps.items():
        assert target == f"plugins.{name}.hooks"
        assert (ROOT / "plugins" / name / "hooks.py").exists()


def test_installed_entry_points_are_the_setup_cfg_ones():
    from importlib.metadata import entry_points

    installed = {ep.name: ep.value for ep in entry_points(group="portal.plugins")}
    for name, target in setup_cfg_entry_points().items():
        assert installed.get(name) == target, "reinstall the project (pip install -e .)"


def _third_party_app(tmp_path, monkeypatch, **extra):
    from portal import create_app
    from portal.extensions import db

    monkeypatch.syspath_prepend(str(SAMPLE_DIST))
    sys.modules.pop("portal_sample_plugin", None)
    cfg = base_config(fresh_database_url(tmp_path, "thirdparty"), tmp_path, PLUGINS=None, **extra)
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
    return app


def test_third_party_plugin_adds_nav_item_api_route_and_cli_command(tmp_path, monkeypatch):
    from portal.plugins import plugin_names

    app = _third_party_app(tmp_path, monkeypatch)
    assert "sample" in plugin_names(app)
    with app.app_context():
        from tests.conftest import Factory

        factory = Factory(app)
        admin = factory.admin()
        client = app.test_client()
        r = client.get("/api/v1/sample/ping", headers=factory.headers(admin))
        assert r.status_code == 200 and r.get_json() == {"pong": True, "user_id": admin.id}
        assert client.get("/api/v1/sample/ping").status_code == 401
        assert "/api/v1/sample/ping" in client.get("/api/v1/openapi.json").get_json()["paths"]
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
        page = client.get("/").get_data(as_text=True)
        assert "Sample plugin" in page and 'href="/sample"' in page
        from portal.extensions import db

        db.session.remove()
    result = CliRunner().invoke(app.cli, ["sample-hello"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "hello from the sample plugin" in result.output


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_disabled_plugin_is_never_imported(tmp_path, monkeypatch):
    from portal.plugins import plugin_names

    app = _third_party_app(tmp_path, monkeypatch, DISABLED_PLUGINS=["sample"])
    assert "portal_sample_plugin" not in sys.modules
    assert "sample" not in plugin_names(app)
    with app.app_context():
        assert "/api/v1/sample/ping" not in app.test_client().get("/api/v1/openapi.json").get_json()["paths"]


def test_disabled_plugins_from_environment_string(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DISABLED_PLUGINS", '["sample", "salvage"]')
    from portal.plugins import plugin_names

    app = _third_party_app(tmp_path, monkeypatch)
    assert "sample" not in plugin_names(app) and "salvage" not in plugin_names(app)
    assert "portal_sample_plugin" not in sys.modules


def test_a_plugin_that_fails_to_load_stops_the_start(tmp_path):
    from portal import create_app
    from portal.plugins import PluginLoadError

    cfg = base_config(fresh_database_url(tmp_path, "broken"), tmp_path,
                      PLUGINS={"broken": "tests.contract.no_such_module"})
    with pytest.raises(PluginLoadError, match="broken"):
        create_app(cfg)


def test_core_registers_its_defaults_through_the_hooks(app):
    from portal.plugins import CORE_PLUGINS, get_pm

    names = [name for name, _ in get_pm(app).list_name_plugin()]
    for core in CORE_PLUGINS:
        assert core in names
    # the core's own blueprints and API come from hook implementations
    impls = {impl.plugin_name for impl in get_pm(app).hook.portal_api_blueprints.get_hookimpls()}
    assert "portal.auth.hooks" in impls


def test_the_core_never_imports_a_plugin():
    import ast

    offenders = []
    for path in (ROOT / "portal").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n == "plugins" or n.startswith("plugins.")]
    assert offenders == []


def test_plugins_do_not_import_each_other():
    import ast

    offenders = []
    for plugin in (ROOT / "plugins").iterdir():
        if not plugin.is_dir():
            continue
        for path in plugin.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                module = node.module if isinstance(node, ast.ImportFrom) and node.level == 0 else None
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else ([module] if module else [])
                for m in mods:
                    if m.startswith("plugins.") and not m.startswith(f"plugins.{plugin.name}"):
                        offenders.append(f"{path.relative_to(ROOT)}: {m}")
    assert offenders == []
