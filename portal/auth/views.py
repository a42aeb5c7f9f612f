"""Login, logout, account, language; organizations (admin) and users (admin, partner admin)."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import Invalid, Locked, PortalError, RateLimited, Unauthorized
from ..extensions import db
from ..glossary import term
from ..web.forms import DONE, apply_errors, run_form
from . import services
from .forms import LoginForm, OrganizationForm, OrganizationStatusForm, PasswordForm, UserForm
from .models import INSURER_ROLES, PARTNER_ROLES, Organization, User

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site paths: ``next=`` can never send a user off-site."""
    if not target:
        return url_for("web.dashboard")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):   # CR/LF, NUL …: never into a header
        return url_for("web.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("web.dashboard")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except Locked as exc:
            wait = (exc.details or {}).get("retry_after_seconds", 30)
            form.form_errors.append(_("Too many failed logins: wait %(n)s seconds, then try again.", n=wait))
            status, headers = 429, {"Retry-After": str(wait)}
        except RateLimited as exc:
            form.form_errors.append(_("Too many login attempts from your network. Please wait a few minutes."))
            status, headers = 429, {"Retry-After": str((exc.details or {}).get("retry_after_seconds", 60))}
        except Unauthorized:
            form.form_errors.append(_("The e-mail or password is not right."))
            status = 401
        else:
            lang = session.get("lang")
            session.clear()  # a new session on login
            if lang:
                session["lang"] = lang
            user.session_key = services.start_session(user, request.remote_addr)
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user.session_key)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        services.set_locale(current_user, code)
        db.session.commit()
    return redirect(safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
            db.session.commit()
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            logout_user()
            session.clear()
            flash(_("Your password was changed. Please log in again."), "success")
            return redirect(url_for("auth.login"))
    storage = None
    if not current_user.is_insurer:
        from ..uploads import organization_usage, quota

        used, cap = organization_usage(current_user.organization_id), quota()
        storage = {"used": used, "quota": cap, "percent": min(100, round(100 * used / cap))}
    return render_template("auth/account.html", form=form, storage=storage), 422 if form.errors else 200


# --------------------------------------------------------------------------- organizations


def _require_admin():
    if not current_user.is_admin:
        abort(403)


@bp.route("/admin/organizations", methods=["GET", "POST"])
@login_required
def organizations():
    _require_admin()
    form = OrganizationForm()
    outcome, _org = run_form(form, lambda: services.create_organization(
        kind=form.kind.data, name=form.name.data, uscc=form.uscc.data, region=form.region.data, actor=current_user),
        success=lambda org: _("Organization %(name)s added.", name=org.name), flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("auth.organizations"))
    kind = request.args.get("kind") or None
    stmt = sa.select(Organization).order_by(Organization.kind, Organization.name)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    orgs = db.session.scalars(stmt).all()
    if request.args.get("export") == "xlsx":
        from ..exports import xlsx_response

        return xlsx_response("organizations.xlsx", [(_("Name"), "text"), (_("Kind"), "text"), (_("USCC"), "text"),
                                                    (_("Region"), "text"), (_("Status"), "text"), (_("Grade"), "text")],
                             [(o.name, _(o.kind), o.uscc, o.region, _(o.status), o.grade) for o in orgs],
                             title=_("Organizations"))
    counts = dict(db.session.execute(sa.select(Organization.kind, sa.func.count()).group_by(Organization.kind)).all())
    from ..evaluations.services import onboarding_graded

    return render_template("auth/organizations.html", orgs=orgs, form=form, counts=counts, kind=kind,
                           onboarding=onboarding_graded(orgs)), \
        422 if form.errors else 200


@bp.route("/admin/organizations/<int:org_id>", methods=["GET", "POST"])
@login_required
def organization(org_id):
    _require_admin()
    org = db.session.get(Organization, org_id) or abort(404)
    form = OrganizationStatusForm(obj=None if request.method == "POST" else org)
    if request.method == "GET":
        form.grade.data = org.grade or ""
    outcome, _done = run_form(form, lambda: services.update_organization(
        org, status=form.status.data, grade=form.grade.data or None, grade_given=True, reason=form.reason.data,
        actor=current_user), success=_("Saved."), flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("auth.organization", org_id=org.id))
    from ..audit.models import AuditEntry

    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "organization",
                                                           AuditEntry.entity_id == str(org.id))
                               .order_by(AuditEntry.id)).all()
    users = db.session.scalars(sa.select(User).where(User.organization_id == org.id).order_by(User.name)).all()
    return render_template("auth/organization.html", org=org, form=form, audit=audit, users=users), \
        422 if form.errors else 200


# --------------------------------------------------------------------------- users


def _may_manage_users():
    if not (current_user.is_admin or current_user.has_role("partner_admin")):
        abort(403)


def _user_form(form: UserForm):
    if current_user.is_admin:
        orgs = db.session.scalars(sa.select(Organization).order_by(Organization.kind, Organization.name)).all()
        form.organization_id.choices = [(o.id, f"{o.name} ({term('organization.kind', o.kind)})") for o in orgs]
        form.roles.choices = [(r, _(r)) for r in INSURER_ROLES + PARTNER_ROLES]
    else:
        form.organization_id.choices = [(current_user.organization_id, current_user.organization.name)]
        form.roles.choices = [(r, _(r)) for r in PARTNER_ROLES]
        del form.authority_limit
        del form.region
    return form


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    _may_manage_users()
    form = _user_form(UserForm())
    if request.method == "GET" and not current_user.is_admin:
        form.organization_id.data = current_user.organization_id
    if form.validate_on_submit():
        try:
            limit_field = getattr(form, "authority_limit", None)
            limit = limit_field.data if limit_field is not None else None
            region_field = getattr(form, "region", None)
            services.create_user(email=form.email.data, name=form.name.data, password=form.password.data,
                                 organization_id=form.organization_id.data, roles=form.roles.data,
                                 authority_limit=limit, actor=current_user,
                                 region=region_field.data if region_field is not None else None)
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except PortalError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            flash(_("User added."), "success")
            return redirect(url_for("auth.users"))
    stmt = sa.select(User).order_by(User.organization_id, User.name)
    if not current_user.is_admin:
        stmt = stmt.where(User.organization_id == current_user.organization_id)
    elif request.args.get("organization_id", type=int):
        stmt = stmt.where(User.organization_id == request.args.get("organization_id", type=int))
    rows = db.session.scalars(stmt).all()
    if request.args.get("export") == "xlsx":
        from ..exports import xlsx_response

        return xlsx_response("users.xlsx", [(_("Name"), "text"), (_("E-mail"), "text"), (_("Organization"), "text"),
                                            (_("Roles"), "text"), (_("Authority limit"), "money"), (_("Active"), "text")],
                             [(u.name, u.email, u.organization.name, ", ".join(_(r) for r in u.roles),
                               None if u.unlimited_authority else u.authority_limit, "✓" if u.active else "✗")
                              for u in rows], title=_("Users"))
    return render_template("auth/users.html", users=rows, form=form), 422 if form.errors else 200


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@login_required
def toggle_user(user_id):
    _may_manage_users()
    try:
        user = services.visible_user(user_id, current_user)
        if not current_user.is_admin and user.organization_id != current_user.organization_id:
            abort(404)
        services.update_user(user, actor=current_user, active=not user.active)
        db.session.commit()
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(exc.message if not isinstance(exc, Invalid) else "; ".join(sum(exc.details.values(), [])), "danger")
    return redirect(url_for("auth.users"))
