"""Documents of a recovery case (追偿材料): a demand letter, a settlement, a bank slip — kept
through the core's case documents (``portal/case_documents.py``)."""
from __future__ import annotations

from portal.plugin import CaseDocuments

from .models import RecoveryDocument
from .services import require_worker

DOCUMENTS = CaseDocuments(RecoveryDocument, "recovery_id", "recovery", "subrogation", require_worker)
