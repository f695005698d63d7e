# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.meter_base.models.meter_meter import REGISTERS


class MeterBillingMoveLine(models.TransientModel):
    """The interim reading of one register at the move; empty: estimated."""

    _name = "meter.billing.move.line"
    _description = "Move: interim reading"

    wizard_id = fields.Many2one("meter.billing.move", required=True, ondelete="cascade")
    meter_id = fields.Many2one("meter.meter", required=True)
    register = fields.Selection(REGISTERS, required=True)
    last_value = fields.Float(digits=(16, 4), readonly=True)
    value = fields.Float(
        string="Interim reading",
        digits=(16, 4),
        help="Counter value at the end of the move-out day. Empty: estimated from "
        "the average consumption (flagged as an estimate).",
    )
    has_value = fields.Boolean(string="Read")
