"""Documents of a lawsuit (诉讼材料): the statement of claim, evidence, a judgment — kept
through the core's case documents (``portal/case_documents.py``): counsel of the firm on the
case and legal staff add and delete them, whoever may see the lawsuit reads them."""
from __future__ import annotations

from portal.plugin import CaseDocuments

from .models import LawsuitDocument
from .services import require_worker

DOCUMENTS = CaseDocuments(LawsuitDocument, "lawsuit_id", "lawsuit", "litigation", require_worker)
