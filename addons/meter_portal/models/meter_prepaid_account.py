# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MeterPrepaidAccount(models.Model):
    _name = "meter.prepaid.account"
    _inherit = ["meter.prepaid.account", "meter.portal.scope.mixin"]

    @api.model
    def _portal_scope_domain(self, periods):
        """The prepaid accounts of the user's units made out to the occupant
        of one of the user's occupancies (not a previous tenant's account)."""
        occupancies_sudo = (
            self.env["meter.occupancy"]
            .sudo()
            .browse([period.occupancy_id for period in periods])
        )
        return [
            ("unit_id", "in", occupancies_sudo.unit_id.ids),
            ("partner_id", "in", occupancies_sudo.partner_id.ids),
        ]
