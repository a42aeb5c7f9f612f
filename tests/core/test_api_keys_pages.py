"""The API keys settings page (portal/auth/api_keys_views.py): a partner admin lists its
organization's keys, makes one — shown once, with a copy button — and revokes one."""
from __future__ import annotations

import re

import pytest

from tests.conftest import Api, login


@pytest.fixture
def boss(factory):
    return factory.user(factory.org("garage"), roles=("partner_admin",))


def _made_key(html: str) -> str:
    keys = re.findall(r'value="(pk_live_[^"]+)"', html)
    assert len(keys) == 1, html[:2000]
    return keys[0]


def test_make_a_key_shown_once_in_chinese_then_revoke_it(client, web_login, boss):
    web_login(boss)
    page = client.get("/settings/api-keys")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="zh-CN"' in html and "API 密钥" in html and "暂无 API 密钥。" in html
    made = client.post("/settings/api-keys", data={"name": "DMS", "scopes": ["read", "quotes:write"],
                                                   "allowed_ips": "203.0.113.0/24\n198.51.100.7", "expires_on": ""})
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and "仅显示这一次" in html and 'data-copy-target="api-key"' in html
    key = _made_key(html)
    again = client.get("/settings/api-keys").get_data(as_text=True)
    assert key not in again and key[:14] in again and "203.0.113.0/24" in again and "198.51.100.7/32" in again
    system = Api(client, {"Authorization": f"Bearer {key}"})
    assert system.get("/me", environ_base={"REMOTE_ADDR": "203.0.113.20"}).status_code == 200
    key_id = int(re.search(r'id="api-key-(\d+)"', again).group(1))
    assert 'data-confirm="吊销 API 密钥 DMS？' in again
    revoked = client.post(f"/settings/api-keys/{key_id}/revoke")
    assert revoked.status_code == 302
    assert system.get("/me", environ_base={"REMOTE_ADDR": "203.0.113.20"}).status_code == 401
    assert "已吊销" in client.get("/settings/api-keys").get_data(as_text=True)


def test_bad_input_is_shown_on_the_form(client, web_login, boss):
    web_login(boss)
    answer = client.post("/settings/api-keys", data={"name": "DMS", "scopes": ["read"], "allowed_ips": "10.0.0.300"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "不是有效的地址或 CIDR 地址段" in html and "pk_live_" not in html
    answer = client.post("/settings/api-keys", data={"name": "DMS", "scopes": ["payments:write"]})
    assert answer.status_code == 422 and "pk_live_" not in answer.get_data(as_text=True)


def test_only_admins_and_only_their_own_keys(app, client, web_login, factory, api_as, boss):
    other = factory.user(factory.org("garage"), roles=("partner_admin",))
    theirs = api_as(other).post("/api-keys", json={"name": "Theirs", "scopes": ["read"]}).get_json()
    web_login(boss)
    assert "Theirs" not in client.get("/settings/api-keys").get_data(as_text=True)
    assert client.post(f"/settings/api-keys/{theirs['id']}/revoke").status_code == 404
    clerk = app.test_client()
    assert login(clerk, factory.user(boss.organization)).status_code == 302     # a partner user, not its admin
    assert clerk.get("/settings/api-keys").status_code == 403
