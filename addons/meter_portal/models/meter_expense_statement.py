# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.fields import Domain


class MeterExpenseStatement(models.Model):
    _name = "meter.expense.statement"
    _inherit = ["meter.expense.statement", "meter.portal.scope.mixin"]

    @api.model
    def _portal_scope_domain(self, periods):
        """Issued statements of the user's occupancies; an owner-occupier also
        sees what they bear as owner of the unit (vacancy statements made out
        to them)."""
        occupancy_ids = [period.occupancy_id for period in periods]
        owned_sudo = (
            self.env["meter.occupancy"]
            .sudo()
            .search([("id", "in", occupancy_ids), ("role", "=", "owner")])
        )
        domain = Domain("occupancy_id", "in", occupancy_ids)
        if owned_sudo:
            domain |= Domain(
                [
                    ("is_owner_share", "=", True),
                    ("unit_id", "in", owned_sudo.unit_id.ids),
                    ("partner_id", "in", owned_sudo.partner_id.ids),
                ]
            )
        return Domain("state", "=", "issued") & domain
