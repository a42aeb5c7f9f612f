"""Subrogation (追偿 / 代位求偿): recovery cases, receipts, the recovery ledger (追偿台帐)
and recovery targets per period."""
