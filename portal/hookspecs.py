"""Hook specifications: every way a plugin reaches the portal.

Each hook is documented with its arguments, its return value, when the core calls it and
a short example; ``docs/hooks.md`` mirrors this file and ``tests/contract/test_hooks.py``
checks that every hook here is documented there with the same signature and is tested.

Hooks return *data*; the core renders it (nav items, widgets, findings, metrics).
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("portal")
hookimpl = pluggy.HookimplMarker("portal")


# ---------------------------------------------------------------------------
# Loading: routes, models' migrations, templates, translations, CLI
# ---------------------------------------------------------------------------


@hookspec
def portal_blueprints(app):
    """Web blueprints of a plugin.

    :param app: the Flask application being created.
    :return: a list of :class:`flask.Blueprint`; their templates live under
        ``templates/<blueprint name>/``.
    Called once by ``create_app`` after the core's own blueprints.

    Example::

        @hookimpl
        def portal_blueprints(app):
            return [views.bp]
    """


@hookspec
def portal_api_blueprints(app):
    """API blueprints (``flask_smorest.Blueprint``), mounted under ``/api/v1``.

    :param app: the Flask application being created.
    :return: a list of ``flask_smorest.Blueprint`` whose schemas appear in
        ``/api/v1/openapi.json``.
    Called once by ``create_app``. Every view must declare its access rule with
    ``portal.api.access`` decorators.

    Example::

        @hookimpl
        def portal_api_blueprints(app):
            return [api.blp]
    """


@hookspec
def portal_migration_dirs():
    """Alembic version directories of a plugin (one history, one branch per plugin).

    :return: a list of directory paths. The plugin's first revision carries
        ``branch_labels=("<plugin>",)`` and ``depends_on`` the core revision it needs.
    Called whenever the Alembic configuration is built (``flask db ...``).

    Example::

        @hookimpl
        def portal_migration_dirs():
            return [str(Path(__file__).parent / "migrations" / "versions")]
    """


@hookspec
def portal_translation_dirs():
    """Gettext catalog directories (``<dir>/<locale>/LC_MESSAGES/messages.po``).

    :return: a list of directory paths, merged with the core's catalog.
    Called once by ``create_app``.

    Example::

        @hookimpl
        def portal_translation_dirs():
            return [str(Path(__file__).parent / "translations")]
    """


@hookspec
def portal_addhookspecs():
    """Hooks a plugin publishes for other plugins to implement (as pytest's ``pytest_addhooks``).

    :return: a module or class holding ``@hookspec`` functions (the marker is
        ``portal.plugin.hookspec``), or ``None``.
    Called once at start-up after every plugin is registered; the specs are added to the
    plugin manager and the implementations already registered are checked against them.
    The publisher is the area that *calls* the hook; an implementer of a hook whose
    publisher may be absent marks its implementation ``@hookimpl(optionalhook=True)``.
    ``docs/hooks.md`` documents the hooks the bundled plugins publish.

    Example::

        @hookimpl
        def portal_addhookspecs():
            from . import hookspecs

            return hookspecs
    """


@hookspec
def portal_config_defaults():
    """A plugin's settings and their defaults.

    :return: a dict ``{KEY: default}``; every key starts with the plugin's name in
        capitals and an underscore (``SALVAGE_PICKUP_WORKING_DAYS``).
    Called once at start-up: the defaults go under what the deployment configured
    (``portal.cfg``, ``PORTAL_<KEY>`` variables); read a value with
    ``portal.plugin.setting(KEY)``. A key outside the plugin's prefix stops the start-up.

    Example::

        @hookimpl
        def portal_config_defaults():
            return {"SALVAGE_PICKUP_WORKING_DAYS": 2}
    """


@hookspec
def portal_cli_commands():
    """CLI commands added to ``flask --app portal``.

    :return: a list of :class:`click.Command`.
    Called once by ``create_app``.

    Example::

        @hookimpl
        def portal_cli_commands():
            return [import_prices_command]
    """


# ---------------------------------------------------------------------------
# Web shell: navigation, dashboard, permissions
# ---------------------------------------------------------------------------


@hookspec
def portal_nav_items(user):
    """Entries of the main navigation for this user.

    :param user: the logged-in :class:`portal.auth.models.User`.
    :return: a list of :class:`portal.web.nav.NavItem` (label, endpoint, order, badge).
    Called on every page render; return only what the user may open.

    Example::

        @hookimpl
        def portal_nav_items(user):
            if user.is_insurer:
                return [NavItem(_l("Quotes"), "garages.queue", order=20)]
    """


@hookspec
def portal_dashboard_widgets(user):
    """Dashboard widgets for this user, as data the core renders.

    :param user: the logged-in user.
    :return: a list of :class:`portal.web.nav.Widget` (title, value, url, chart data).
    Called when the dashboard is shown.

    Example::

        @hookimpl
        def portal_dashboard_widgets(user):
            return [Widget(_l("Overdue reviews"), value=3, url="/quotes?overdue=1")]
    """


@hookspec
def portal_permissions():
    """Permissions a plugin defines, and the roles that hold them.

    :return: a dict ``{permission: set of roles}``; roles are
        ``assessor supervisor pricing legal admin partner_admin partner_user``.
    Merged at start-up; ``portal.auth.permissions.has_permission(user, name)`` reads it.

    Example::

        @hookimpl
        def portal_permissions():
            return {"prices.approve": {"pricing", "admin"}}
    """


# ---------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def portal_parts_catalog():
    """The parts catalog and rate look-ups the quote checks read.

    :return: an object implementing :class:`portal.catalog.PartsCatalog`:
        ``reference_prices(items, region)``, ``known_part_nos(part_nos)``,
        ``part_info(part_nos)``, ``labor_rate(garage_id, region)`` and
        ``towing_fee(region)``; ``None`` when no catalog is installed.
    First result wins; checks that need it report nothing when it is ``None``.

    Example::

        @hookimpl
        def portal_parts_catalog():
            return PriceCatalog()
    """


@hookspec
def portal_recover_from_partner(claim, organization, amount, basis, actor):
    """Open a recovery (追偿) against a partner organization that was paid for work not done.

    :param claim: the :class:`portal.claims.models.Claim` the money was paid on.
    :param organization: the partner :class:`portal.auth.models.Organization` (the counterparty).
    :param amount: the over-payment to recover (a :class:`decimal.Decimal`, CNY).
    :param basis: why, in words (what a re-inspection found, line by line).
    :param actor: the insurer user who confirmed it (audited as the opener).
    :return: a reference of the case opened (e.g. ``"recovery:12"``), or None when this
        implementer keeps no recoveries.
    Called by the garages plugin when staff confirm the over-payment of a failed
    re-inspection (复勘); the first reference answered is kept on the re-inspection. With no
    implementer the confirmation is refused (nothing is half-written).

    Example::

        @hookimpl
        def portal_recover_from_partner(claim, organization, amount, basis, actor):
            case = open_case(claim, counterparty=organization.name, amount=amount, basis=basis, by=actor)
            return f"recovery:{case.id}"
    """


@hookspec
def portal_assignment_purposes():
    """Why a claim may be assigned to a partner of this area (委托用途).

    :return: an iterable of :class:`portal.plugin.AssignmentPurpose` —
        ``AssignmentPurpose(name, org_kinds, label, claim_view)``: the purpose's code, the
        kinds of organization that may take it, how people read it, and which of the core's
        partner views of a claim its partners get (``repair``, ``salvage`` or ``counsel``).
    Merged at start-up; a name registered twice stops it. Staff assign claims only for a
    registered purpose, to an organization of a fitting kind.

    Example::

        @hookimpl
        def portal_assignment_purposes():
            return [AssignmentPurpose("salvage", ("salvage_vendor",), _l("Salvage"), "salvage")]
    """


@hookspec
def portal_claim_partner_work(claim, user):
    """Sections of the claim page: one partner area's work on this claim.

    :param claim: the :class:`portal.claims.models.Claim`.
    :param user: the viewer (sections must respect what the viewer may see).
    :return: a list of :class:`portal.web.nav.ClaimSection` (title, rows, url; a row's
        ``url`` links its first column, its ``actions`` and the section's are
        :class:`portal.web.nav.ClaimAction` buttons, links or CSRF-checked posts).
    Called when the claim page is shown.

    Example::

        @hookimpl
        def portal_claim_partner_work(claim, user):
            return [ClaimSection(_l("Repair quotes"), rows=[...])]
    """


@hookspec
def portal_claim_costs(claim):
    """Signed components of a claim's net cost.

    :param claim: the claim.
    :return: a list of :class:`portal.claims.costs.CostComponent` (code, label,
        amount, sign ``+1`` or ``-1``). Net cost = Σ sign × amount.
    Called for the claim page and the API.

    Example::

        @hookimpl
        def portal_claim_costs(claim):
            return [CostComponent("salvage_proceeds", _l("Salvage proceeds"), amount, -1)]
    """


@hookspec
def portal_claim_exposures(claim_ids):
    """Amounts on claims that can make them major cases (大案), as SQL; the register's rules
    are in `docs/review-controls.md`, "Major cases".

    :param claim_ids: the claims asked about — a list of ids, or a ``SELECT`` of ids (use it
        with ``.in_(claim_ids)``) — or ``None`` for every claim.
    :return: a ``sqlalchemy`` ``Select`` of three columns ``(claim_id, basis, amount)`` (amount
        in the database's integer fen, e.g. a ``Money`` column or a sum of them); ``basis`` one
        of ``repair salvage recovery lawsuit``. The core runs every area's select as one
        statement (``UNION ALL``); a claim enters the register when its largest amount reaches
        ``MAJOR_CASES["threshold"]``.
    Called inside the transaction of a change that names a claim, and by ``major_cases.sync``.

    Example::

        @hookimpl
        def portal_claim_exposures(claim_ids):
            stmt = sa.select(Lot.claim_id, sa.literal("salvage"), sa.func.sum(Lot.estimated_value))
            return stmt.where(Lot.claim_id.in_(claim_ids)).group_by(Lot.claim_id)
    """


@hookspec
def portal_evaluation_metrics():
    """Scorecard metrics a plugin contributes.

    :return: a list of :class:`portal.evaluations.metrics.MetricDefinition`:
        code, organization kind, label, ``compute(period, org_ids)`` returning
        ``{org_id: Decimal or None}`` from SQL, default brackets and weight, and optionally
        ``drilldown(org_id, period)`` and ``volume(period, org_ids)`` → ``{org_id: int}``, the
        records behind each value (below ``EVALUATION_MIN_VOLUME`` the metric does not count);
        ``period`` is a :class:`portal.plugin.Period`
        (aware ``start``, ``end`` excluded; ``first_day``/``last_day`` as local dates).
    Called when scorecards are computed, once per metric for the month with every
    organization of its kind.

    Example::

        @hookimpl
        def portal_evaluation_metrics():
            return [MetricDefinition("garage.reduction_rate", "garage", ...)]
    """


@hookspec
def portal_organization_storage(organization_id):
    """Bytes of uploaded files an organization's people keep in this area (photos, files
    waiting for import), for the per-organization disk quota.

    :param organization_id: the organization.
    :return: an ``int`` (bytes); the quota is ``ORGANIZATION_STORAGE_QUOTA_BYTES`` over the sum.
    Called before a file is stored and on the account page.

    Example::

        @hookimpl
        def portal_organization_storage(organization_id):
            return db.session.scalar(sa.select(sa.func.sum(Photo.size)).where(...)) or 0
    """


@hookspec
def portal_events_committing(events):
    """The events of a transaction, just before it commits, for records derived from them
    that must commit with them (the major-case register follows the amounts of a claim).

    :param events: a list of ``(name, payload)`` as given to ``portal.events.emit``.
    Called inside the transaction, in a savepoint: write with ``db.session``; an exception
    is logged and undoes only this receiver's writes. Events emitted here are received by
    ``portal_event`` after the commit, like the others.

    Example::

        @hookimpl
        def portal_events_committing(events):
            claims = {p["claim_no"] for _, p in events if p.get("claim_no")}
            follow_claims(claims)
    """


@hookspec
def portal_event(name, payload):
    """An event happened and its transaction committed.

    :param name: dotted event name, e.g. ``"claim.assigned"``, ``"quote.approved"``.
    :param payload: a dict of plain values (ids, amounts as strings).
    Called after commit, never inside the transaction; an exception here is logged
    and never fails the action that caused the event.

    Example::

        @hookimpl
        def portal_event(name, payload):
            if name == "quote.approved":
                send_to_dms(payload["quote_id"])
    """


@hookspec
def portal_audit_entities():
    """The kinds of record a plugin writes to the audit trail (审计留痕).

    :return: an iterable of entity names, as passed to ``record_audit``.
    Merged at start-up: ``record_audit`` refuses a name nobody registered, and
    ``GET /api/v1/audit?entity=`` accepts exactly the registered names.

    Example::

        @hookimpl
        def portal_audit_entities():
            return ["salvage_lot"]
    """


@hookspec
def portal_terms():
    """The values a plugin shows people (statuses, reason and finding codes, kinds, audit
    actions), by context, for the glossary (业务术语表, ``portal/glossary.py``).

    :return: a dict ``{context: iterable of values}``; each value is shown through
    ``term(context, value)`` and translated by ``msgctxt`` in the glossary catalogs, so
    one English word never takes another area's meaning. Merged once per app; the
    glossary test fails on a declared value without a Chinese and an English word.

    Example::

        @hookimpl
        def portal_terms():
            return {"salvage_lot.status": STATUSES, "audit.action": ["award", "close"]}
    """


@hookspec
def portal_code_lists():
    """Code lists whose codes are configuration (代码表), for ``GET /api/v1/codes/{list}``:
    a partner system reads the reduction reasons, hold reasons or finding codes in force
    instead of copying them from a document.

    :return: a dict ``{list name: iterable of (code, label)}``; ``label`` is a lazy string or
        a callable returning the label, read once in Chinese and once in English. Lists of
        the same name from several areas are joined.

    Example::

        @hookimpl
        def portal_code_lists():
            return {"reduction-reasons": [(code, _l(code)) for code in rules()["reduction_reasons"]]}
    """


@hookspec
def portal_notification_kinds():
    """Notification kinds a plugin sends, for users' settings and the docs.

    :return: a dict ``{kind: label}``.

    Example::

        @hookimpl
        def portal_notification_kinds():
            return {"salvage_lot.awarded": _l("Salvage lot awarded")}
    """


@hookspec
def portal_webhook_events():
    """The webhook events an area emits, for the catalogue (``GET /api/v1/webhooks/events``)
    and the check of an endpoint's subscriptions (an unknown name is 422). Each event's
    payload names its audience in ``organization_ids``.

    :return: a list of ``{name, description, payload_schema}`` (``payload_schema`` a JSON
        schema of ``data``); ``portal.plugin.webhook_event`` builds one.

    Example::

        @hookimpl
        def portal_webhook_events():
            return [webhook_event("salvage_lot.awarded", "You won a salvage lot.",
                                  lot_id="int", amount="money")]
    """


@hookspec
def portal_scheduled_jobs():
    """Periodic jobs, run by ``flask --app portal run-jobs`` (cron or a timer).

    :return: a list of ``(name, callable)``; each callable takes no argument and
        returns a short text of what it did.

    Example::

        @hookimpl
        def portal_scheduled_jobs():
            return [("salvage.close_due_lots", close_due_lots)]
    """


@hookspec
def portal_demo_data(demo):
    """Add a plugin's part of the demo data set (``flask --app portal demo``).

    :param demo: a :class:`portal.demo.DemoContext` with ``orgs`` (key → Organization:
        ``insurer garage1 garage2 supplier1 supplier2 salvage1 salvage2 lawfirm1
        specialist1``), ``users`` (key → User) and ``claims`` (claim_no → Claim).
    :return: a list of lines saying what was added. Must be idempotent.
    Called by ``flask --app portal demo`` after the core's demo data, inside one
    transaction that is committed at the end.

    Example::

        @hookimpl
        def portal_demo_data(demo):
            if not PriceList.query.filter_by(supplier_id=demo.orgs["supplier1"].id).first():
                ...
            return ["price lists: 2"]
    """


@hookspec
def portal_payable_items(organization_id, kind, item_id, claim_no):
    """Approved work a partner may invoice (直赔: 已核定待付款项), for the core's invoices and
    payments (``portal/payments``).

    :param organization_id: the partner organization whose items are wanted, or ``None``.
    :param kind: ``None`` for every kind, or one kind (``"quote"``, ``"legal_cost"``...).
    :param item_id: ``None`` for every item of ``kind``, or one item's id.
    :param claim_no: ``None``, or only the items of this claim (the claim page's payments).
    :return: an iterable of dicts ``{kind, id, claim_no, organization_id, approved_amount
        (Decimal), approved_on (date)}``; a plugin answers only for the kinds it owns.
    Called by ``portal/payments/services.py`` to check an invoice against what is approved
    and not yet invoiced, and for the partner's payment clock.

    Example::

        @hookimpl
        def portal_payable_items(organization_id, kind, item_id, claim_no):
            if kind not in (None, "quote"):
                return []
            return [{"kind": "quote", "id": q.id, "claim_no": q.claim.claim_no, ...} for q in ...]
    """


@hookspec
def portal_report_card_facts(organization_ids):
    """Facts for the insurer's report card (保险公司成绩单, ``portal/payments/report_card.py``).

    :param organization_ids: the partner organizations wanted, or ``None`` for all.
    :return: a dict with any of the keys ``reviews`` — dicts ``{organization_id, team,
        submitted_at, decided_at, due_at}`` (one per decision of a review round; aware
        datetimes, ``due_at`` may be ``None``); ``lines`` — dicts ``{organization_id, team,
        restored (bool)}`` (one per adjusted line the partner answered); ``disputes`` — dicts
        ``{organization_id, team, upheld (bool)}`` (one per decided dispute). ``team`` is the
        assessor team's name (never a person's).

    Example::

        @hookimpl
        def portal_report_card_facts(organization_ids):
            return {"disputes": [{"organization_id": 7, "team": "华东", "upheld": True}]}
    """
