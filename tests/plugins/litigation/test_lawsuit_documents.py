"""Documents on a lawsuit (诉讼材料), through the API and the lawsuit page: checked by content,
served only to who may see the lawsuit (counsel's firm, legal staff), hidden and audited,
another firm's lawsuit → 404, a garage → 403."""
from __future__ import annotations

import io

import sqlalchemy as sa

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _send(api, suit_id, data, name):
    return api.client.post(f"/api/v1/lawsuits/{suit_id}/documents", headers=api.headers,
                           data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_counsel_keeps_a_judgment_on_its_lawsuit_and_nobody_else_sees_it(api_as, factory, legal, new_suit):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    firm = factory.org("law_firm")
    lawyer = factory.user(firm)
    suit = new_suit(counsel_organization_id=firm.id)
    other = new_suit()
    mine = api_as(lawyer)
    assert _send(mine, suit["id"], b"MZ\x90\x00 not a pdf", "判决书.pdf").status_code == 422   # by content
    assert _send(mine, suit["id"], b"", "empty.pdf").status_code == 422
    no_file = mine.client.post(f"/api/v1/lawsuits/{suit['id']}/documents", headers=mine.headers, data={},
                               content_type="multipart/form-data")
    assert no_file.status_code == 422 and "file" in no_file.get_json()["error"]["details"]
    r = _send(mine, suit["id"], PDF, "一审判决书.pdf")
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()
    assert doc["lawsuit_id"] == suit["id"] and doc["content_type"] == "application/pdf"
    assert doc["original_name"] == "一审判决书.pdf" and doc["size"] == len(PDF)
    staff = api_as(legal)
    assert [d["id"] for d in staff.get(f"/lawsuits/{suit['id']}/documents").get_json()] == [doc["id"]]
    got = staff.get(f"/lawsuits/{suit['id']}/documents/{doc['id']}")
    assert got.status_code == 200 and got.data == PDF and got.headers["X-Content-Type-Options"] == "nosniff"
    # another firm, another lawsuit's path, a garage
    outsider = api_as(factory.user(factory.org("law_firm")))
    for call in (outsider.get, outsider.delete):
        assert call(f"/lawsuits/{suit['id']}/documents/{doc['id']}").status_code == 404
    assert outsider.get(f"/lawsuits/{suit['id']}/documents").status_code == 404
    assert _send(outsider, suit["id"], PDF, "x.pdf").status_code == 404
    assert staff.get(f"/lawsuits/{other['id']}/documents/{doc['id']}").status_code == 404
    assert api_as(factory.user(factory.org("garage"))).get(f"/lawsuits/{suit['id']}/documents").status_code in (403, 404)
    # deleting hides it: gone for every reader, audited, the row kept
    assert mine.delete(f"/lawsuits/{suit['id']}/documents/{doc['id']}").status_code == 204
    assert staff.get(f"/lawsuits/{suit['id']}/documents").get_json() == []
    assert staff.get(f"/lawsuits/{suit['id']}/documents/{doc['id']}").status_code == 404
    assert mine.delete(f"/lawsuits/{suit['id']}/documents/{doc['id']}").status_code == 404
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "lawsuit", AuditEntry.entity_id == str(suit["id"]))).all()
    assert "document_added" in actions and "document_hidden" in actions
    from plugins.litigation.models import LawsuitDocument
    assert db.session.get(LawsuitDocument, doc["id"]).hidden_at is not None


def test_documents_on_the_lawsuit_page(client, web_login, factory, legal, new_suit):
    firm = factory.org("law_firm")
    suit = new_suit(counsel_organization_id=firm.id)
    web_login(legal)
    page = client.get(f"/litigation/lawsuits/{suit['id']}").get_data(as_text=True)
    assert "案件材料" in page and "暂无材料。" in page
    bad = client.post(f"/litigation/lawsuits/{suit['id']}/documents", data={"file": (io.BytesIO(b"x" * 20), "a.exe")},
                      content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "只接受 PDF、JPEG、PNG 或 WebP 文件。" in bad
    ok = client.post(f"/litigation/lawsuits/{suit['id']}/documents",
                     data={"file": (io.BytesIO(PDF), "起诉状.pdf")}, content_type="multipart/form-data",
                     follow_redirects=True).get_data(as_text=True)
    assert "起诉状.pdf" in ok and "材料已上传。" in ok
    from plugins.litigation.models import LawsuitDocument
    from portal.extensions import db
    doc = db.session.scalars(sa.select(LawsuitDocument).where(LawsuitDocument.lawsuit_id == suit["id"])).one()
    assert client.get(f"/litigation/lawsuits/{suit['id']}/documents/{doc.id}").data == PDF
    gone = client.post(f"/litigation/lawsuits/{suit['id']}/documents/{doc.id}/hide",
                       follow_redirects=True).get_data(as_text=True)
    assert "材料已删除（审计记录中保留）。" in gone and "暂无材料。" in gone
    # the lawyer of another firm: the page, the file and the upload are 404
    client.post("/logout")
    web_login(factory.user(factory.org("law_firm")))
    assert client.get(f"/litigation/lawsuits/{suit['id']}").status_code == 404
    assert client.get(f"/litigation/lawsuits/{suit['id']}/documents/{doc.id}").status_code == 404
    assert client.post(f"/litigation/lawsuits/{suit['id']}/documents", data={"file": (io.BytesIO(PDF), "x.pdf")},
                       content_type="multipart/form-data").status_code == 404
