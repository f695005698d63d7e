# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..models.meter_meter import REGISTERS


class MeterReplaceLine(models.TransientModel):
    """Closing reading of the old meter and opening reading of the new one, for
    one register."""

    _name = "meter.replace.line"
    _description = "Meter Replacement Register"
    _order = "register"

    wizard_id = fields.Many2one("meter.replace", required=True, ondelete="cascade")
    register = fields.Selection(REGISTERS, required=True, default="T1")
    closing_value = fields.Float(string="Closing Reading", digits=(16, 4))
    opening_value = fields.Float(string="Opening Reading", digits=(16, 4))
