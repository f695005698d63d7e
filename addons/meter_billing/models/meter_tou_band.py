# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.meter_base.models.meter_meter import REGISTERS


class MeterTouBand(models.Model):
    """A rate band of a calendar (e.g. critical peak, peak, flat, valley)."""

    _name = "meter.tou.band"
    _description = "Time-of-use Band"
    _order = "calendar_id, sequence, id"

    calendar_id = fields.Many2one(
        "meter.tou.calendar", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    code = fields.Char(required=True, help="Referenced by tariff components.")
    name = fields.Char(required=True, translate=True)
    register = fields.Selection(
        REGISTERS,
        help="Register of multi-rate meters that accumulates this band.",
    )

    _calendar_code_uniq = models.Constraint(
        "UNIQUE (calendar_id, code)", "Band codes are unique within a calendar."
    )
