# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class PaymentTransaction(models.Model):
    """Online top-ups of prepaid accounts: a transaction paid for a prepaid
    account is credited to it once (its own journal entry on the prepayment
    liability) instead of becoming a customer payment against invoices."""

    _inherit = "payment.transaction"

    meter_prepaid_account_id = fields.Many2one(
        "meter.prepaid.account",
        string="Prepaid account",
        index="btree_not_null",
        readonly=True,
    )

    def _create_payment(self, **extra_create_values):
        """Called by account_payment's post-processing of a done transaction
        (each time it runs while the transaction has no payment): credit the
        prepaid account, idempotent by the transaction's reference."""
        if not self.meter_prepaid_account_id:
            return super()._create_payment(**extra_create_values)
        self.meter_prepaid_account_id._credit_transaction(self)
        return self.env["account.payment"]
