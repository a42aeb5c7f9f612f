"""``run_form``: the one way a page runs a service — done, invalid (field errors, nothing
written) or refused (flashed, nothing written; or raised when the caller wants the error page)."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from portal.errors import Invalid, InvalidState, NotFound
from portal.web.forms import DONE, INVALID, REFUSED, run_form


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(validators=[DataRequired()])


def _org_count():
    import sqlalchemy as sa

    from portal.auth.models import Organization
    from portal.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization))


def test_done_invalid_and_refused(app, factory):
    def change(fail=None):
        def run():
            factory.insurer()  # writes (and commits) an organization … then the service may refuse
            from portal.auth.models import Organization
            from portal.extensions import db

            db.session.add(Organization(kind="garage", name="半截", uscc=factory.uscc(), region="上海"))
            db.session.flush()
            if fail is not None:
                raise fail
            return "ok"
        return run

    with app.test_request_context("/x", method="POST", data={"name": ""}):
        form = NameForm()
        assert run_form(form, change(), success="s") == (INVALID, None) and form.name.errors  # form invalid: not called
    before = _org_count()
    with app.test_request_context("/x", method="POST", data={"name": "x"}):
        form = NameForm()
        assert run_form(form, change(Invalid.field("name", "At least 8 characters.")), success="s") == (INVALID, None)
        assert form.name.errors == ["至少 8 个字符。"]          # in the page's language (zh by default)
        assert run_form(NameForm(), change(InvalidState("Already closed.")), success="s") == (REFUSED, None)
        assert get_flashed_messages(with_categories=True) == [("danger", "Already closed.")]
        with pytest.raises(NotFound):
            run_form(NameForm(), change(NotFound()), success="s", flash_refusals=False)
    assert _org_count() == before + 1                   # the insurer only: the half-written rows are gone
    with app.test_request_context("/x", method="POST", data={"name": "x"}):
        assert run_form(NameForm(), change(), success=lambda r: f"done: {r}") == (DONE, "ok")
        assert get_flashed_messages(with_categories=True) == [("success", "done: ok")]
    assert _org_count() == before + 2


def test_field_names_map_the_services_fields(app):
    with app.test_request_context("/x", method="POST", data={"name": "x"}):
        form = NameForm()
        outcome, _ = run_form(form, lambda: (_ for _ in ()).throw(Invalid.field("person_name", "No such thing here.")),
                              success="s", field_names=lambda k: "name" if k == "person_name" else k)
        assert outcome == INVALID and form.name.errors == ["No such thing here."]   # no catalog entry: as written
