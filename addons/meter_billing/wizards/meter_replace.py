# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.fields import Command


class MeterReplace(models.TransientModel):
    _inherit = "meter.replace"

    def action_replace(self):
        """Also put the new meter on the billing points of the old one: a
        period across the replacement bills old closing - old start + new
        current - new opening (RULES.md 5.4)."""
        old = self.meter_id
        action = super().action_replace()
        # the user could replace the meter (write access checked by the
        # replacement): the points billing it follow, whoever may edit them
        old.check_access("write")
        points_sudo = (
            self.env["meter.billing.point"]
            .sudo()
            .with_context(active_test=False)
            .search([("meter_ids", "in", old.ids)])
        )
        points_sudo.write({"meter_ids": [Command.link(old.successor_id.id)]})
        return action
