"""Invoices (发票) against approved work and the payments (直赔付款) the insurer reports."""
