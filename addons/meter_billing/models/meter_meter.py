# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MeterMeter(models.Model):
    _inherit = "meter.meter"

    def action_open_intervals(self):
        """The interval values of this meter (and of the meter it replaced)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_billing.meter_interval_action"
        )
        action["domain"] = [("meter_id", "in", (self | self.predecessor_id).ids)]
        return action
