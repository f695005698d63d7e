# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.fields import Domain

# Users in one of these groups keep the whole ledger, whatever their sites.
LEDGER_UNRESTRICTED_GROUPS = (
    "meter_base.meter_base_group_manager",
    "account.group_account_user",
    "account.group_account_manager",
)


class ResUsers(models.Model):
    _inherit = "res.users"

    def _meter_ledger_restricted(self):
        """A billing officer who is not an accountant (nor a metering manager)
        sees only the ledger records of their sites."""
        self.ensure_one()
        return self.has_group("meter_base.meter_base_group_billing") and not any(
            self.has_group(group) for group in LEDGER_UNRESTRICTED_GROUPS
        )

    @api.private
    def meter_ledger_domain(self, model_name):
        """The record-rule domain of ``model_name`` (``account.move``,
        ``account.move.line`` or ``account.payment``) for this user.

        Billing officers limited to sites are the only ones restricted: they
        keep every move not issued for a billing point (vendor bills, manual
        entries, ...) and the moves of their sites' billing points, but not a
        move billing a point of another site, its credit notes, the entries of
        payments of it, nor their journal items. Everybody else gets no
        restriction (the empty domain), so accountants see the whole ledger.
        """
        self.ensure_one()
        if not self._meter_ledger_restricted():
            return []
        foreign = Domain(
            "meter_billing_line_ids",
            "any",
            [("site_id", "not in", self.meter_site_ids.ids)],
        )
        foreign_move = (
            foreign
            | Domain("reversed_entry_id", "any", foreign)
            | Domain("origin_payment_id", "any", [("invoice_ids", "any", foreign)])
        )
        if model_name == "account.move":
            return ~foreign_move
        if model_name == "account.move.line":
            return Domain("move_id", "not any", foreign_move)
        if model_name == "account.payment":
            return Domain("invoice_ids", "not any", foreign) & Domain(
                "move_id", "not any", foreign_move
            )
        raise ValueError(model_name)
