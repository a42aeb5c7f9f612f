"""The assessment sheet (定损单): the insurer's printed record of a repair quote as assessed —
the vehicle, the repairer, every line at its approved quantity, unit price and amount, the
quoted and approved totals and the reduction, who decided, when (Beijing time) and under which
rule version. A PDF made by WeasyPrint with the server's Noto Sans CJK SC; nothing is fetched
from the network. Insurer staff may print it at any time (before approval it says it is no
decision); the repairer once the quote is approved; nobody else sees that the quote exists."""
from __future__ import annotations

from urllib.parse import quote as urlquote

from flask import Response, render_template
from flask_babel import gettext as _

from portal.plugin import InvalidState, NotFound, Unavailable, User, db, utcnow

from . import rules as R
from .models import Quote

FINAL = ("approved",)   # the flow's only final approved state (workflow.QUOTE_FLOW)
NOT_YET = "The assessment sheet is issued once the quote is approved."


def may_download(quote: Quote, user) -> bool:
    """Insurer staff always; the quote's own garage once the quote is approved."""
    if quote.status == "deleted":
        return False
    if user.is_insurer:
        return True
    return quote.garage_id == user.organization_id and quote.status in FINAL


def check_may_download(quote: Quote, user) -> None:
    """Raise 404 for whoever may not see the quote, 409 ``invalid_state`` for its garage before
    approval."""
    if may_download(quote, user):
        return
    if user.is_insurer or quote.garage_id != user.organization_id or quote.status == "deleted":
        raise NotFound()
    raise InvalidState(NOT_YET, {"status": quote.status})


def _decision(quote: Quote):
    approvals = [d for d in quote.decisions if d.to_status in FINAL]
    return approvals[-1] if approvals else None


def _assessor(decision, reader) -> str:
    """The decider as the reader may see them: a garage reads "the insurer's reviewer" unless
    the rules show reviewers' names to partners (as on the quote's page)."""
    if decision is None:
        return "—"
    if decision.automatic or decision.user_id is None:
        return _("Automatic (fast track)")
    if not (reader.is_insurer or R.rules().get("show_reviewer_names_to_partners")):
        return _("Insurer reviewer")
    person = db.session.get(User, decision.user_id)
    return person.name if person else "—"


def _row(line, final: bool) -> dict:
    def approved(figure, quoted):
        return figure if final and figure is not None else quoted

    return {"line": line, "quantity": approved(line.approved_quantity, line.quantity),
            "unit_price": approved(line.approved_unit_price, line.unit_price),
            "amount": approved(line.approved_amount, line.amount)}


def render_html(quote: Quote, reader) -> str:
    final = quote.status in FINAL
    decision = _decision(quote)
    approved_total = quote.total_approved if final else None
    return render_template(
        "garages/assessment_sheet.html", quote=quote, claim=quote.claim, final=final,
        lines=[_row(line, final) for line in quote.lines], decision=decision,
        assessor=_assessor(decision, reader),
        rules_version=(decision.rules_version if decision else quote.rules_version) or "—",
        approved_total=approved_total,
        reduction=quote.total_submitted - approved_total if approved_total is not None else None,
        printed_at=utcnow())


def render_sheet(quote: Quote, reader) -> bytes:
    """The sheet as PDF bytes, for ``reader`` (who may see the assessor's name)."""
    try:
        from weasyprint import HTML   # needs the system's Pango: without it only this endpoint fails
    except (ImportError, OSError) as exc:
        raise Unavailable("PDF printing is not available on this server (WeasyPrint needs Pango); "
                          "the quote's page shows the same figures.") from exc
    return HTML(string=render_html(quote, reader), base_url=None).write_pdf()


def filename(quote: Quote) -> tuple[str, str]:
    """(the Chinese file name, an ASCII fallback); claim numbers are ASCII (claims.services)."""
    return f"定损单-{quote.claim.claim_no}-{quote.id}.pdf", f"assessment-sheet-{quote.claim.claim_no}-{quote.id}.pdf"


def pdf_response(quote: Quote, reader) -> Response:
    chinese, ascii_name = filename(quote)
    response = Response(render_sheet(quote, reader), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                               f"filename*=UTF-8''{urlquote(chinese)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
