# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from meterkit import as_decimal

from odoo import fields, models


class MeterPrepaidPayment(models.TransientModel):
    """A top-up at the desk (cash or bank transfer), the first one opening a
    draft account, or the refund of the balance at move-out."""

    _name = "meter.prepaid.payment"
    _description = "Prepaid Top-up or Refund"

    account_id = fields.Many2one("meter.prepaid.account", required=True)
    company_id = fields.Many2one(related="account_id.company_id")
    currency_id = fields.Many2one(related="account_id.currency_id")
    balance = fields.Monetary(related="account_id.balance")
    kind = fields.Selection(
        [("top_up", "Top-up"), ("refund", "Refund")], required=True, default="top_up"
    )
    amount = fields.Monetary(required=True)
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', 'in', ('cash', 'bank')), "
        "('company_id', 'parent_of', company_id)]",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    reference = fields.Char()

    def action_confirm(self):
        self.ensure_one()
        account = self.account_id
        if account.state == "draft" and self.kind == "top_up":
            # the opening top-up: deducted from its day on
            account.date_start = account.date_start or self.date
            account.action_open()
        self.env["meter.prepaid.move"]._create_posted(
            [
                {
                    "account_id": account.id,
                    "move_type": self.kind,
                    "date": self.date,
                    "amount": as_decimal(self.amount),
                    "journal_id": self.journal_id.id,
                    "payment_reference": self.reference or False,
                }
            ]
        )
        return {"type": "ir.actions.act_window_close"}
