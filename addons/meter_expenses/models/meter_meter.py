# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterMeter(models.Model):
    _inherit = "meter.meter"

    expense_rating_factor = fields.Float(
        string="Rating factor",
        default=1.0,
        digits=(16, 4),
        help="Heat cost allocators: the consumption units read are multiplied "
        "by this factor (radiator rating) in expense statements.",
    )

    _expense_rating_factor_positive = models.Constraint(
        "CHECK (expense_rating_factor > 0)", "A rating factor must be greater than 0."
    )
