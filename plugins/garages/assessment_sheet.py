"""The printable assessment sheet (定损单) of a quote: the approved lines and totals, the garage,
the assessor who decided and the rule version, as a PDF with Chinese fonts (WeasyPrint, the
system's Noto Sans CJK; no file is fetched from anywhere). Staff may print it at any time (a
draft sheet says so); the garage once the quote is approved."""
from __future__ import annotations

from flask import render_template

from portal.errors import InvalidState, Unavailable
from portal.timeutil import utcnow

from .models import Quote

FINAL = ("approved",)


def check_may_download(quote: Quote, user) -> None:
    """Staff always; the quote's garage once approved (409 before). Others never see the quote
    (the caller loaded it through ``services.get_quote``: 404)."""
    if user.is_insurer:
        return
    if quote.status not in FINAL:
        raise InvalidState("The assessment sheet is issued once the quote is approved.", {"status": quote.status})


def _decider(quote: Quote):
    from portal.auth.models import User
    from portal.extensions import db

    approvals = [d for d in quote.decisions if d.to_status in FINAL]
    decision = approvals[-1] if approvals else None
    person = db.session.get(User, decision.user_id) if decision and decision.user_id else None
    return decision, person


def render_html(quote: Quote) -> str:
    decision, person = _decider(quote)
    lines = []
    for ln in quote.lines:
        approved = quote.status in FINAL
        lines.append({"line": ln,
                      "quantity": ln.approved_quantity if approved and ln.approved_quantity is not None else ln.quantity,
                      "unit_price": ln.approved_unit_price if approved and ln.approved_unit_price is not None
                      else ln.unit_price,
                      "amount": ln.approved_amount if approved and ln.approved_amount is not None else ln.amount})
    approved_total = quote.total_approved if quote.status in FINAL else None
    return render_template("garages/assessment_sheet.html", quote=quote, claim=quote.claim, lines=lines,
                           decision=decision, assessor=person, approved_total=approved_total,
                           reduction=(quote.total_submitted - approved_total) if approved_total is not None else None,
                           final=quote.status in FINAL, printed_at=utcnow())


def render_pdf(quote: Quote) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:      # WeasyPrint without the system's Pango
        raise Unavailable("PDF printing is not available on this server (WeasyPrint needs Pango); "
                          "the quote's page shows the same figures.") from exc
    return HTML(string=render_html(quote), base_url=None).write_pdf()


def filename(quote: Quote) -> tuple[str, str]:
    """(the Chinese file name, an ASCII fallback) for Content-Disposition."""
    return f"定损单-{quote.claim.claim_no}-{quote.id}.pdf", f"assessment-{quote.claim.claim_no}-{quote.id}.pdf"


def pdf_response(quote: Quote):
    from urllib.parse import quote as urlquote

    from flask import Response

    chinese, ascii_name = filename(quote)
    response = Response(render_pdf(quote), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                               f"filename*=UTF-8''{urlquote(chinese)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
