# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

BASIS_KINDS = [
    ("area", "Area (m²)"),
    ("heated_area", "Heated Area (m²)"),
    ("volume", "Volume (m³)"),
    ("thousandths", "Thousandths (‰)"),
    ("persons", "Persons"),
]


class MeterUnitBasis(models.Model):
    """A dated allocation basis of a unit: the value holds from ``date_from``
    until the next basis of the same kind, so the key in force on any date can be
    read back (HeizkostenV §6(4): a key changes only from a period start)."""

    _name = "meter.unit.basis"
    _description = "Unit Allocation Basis"
    _order = "unit_id, kind, date_from desc, id"

    unit_id = fields.Many2one(
        "meter.unit", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="unit_id.company_id", store=True)
    kind = fields.Selection(BASIS_KINDS, required=True)
    value = fields.Float(required=True, digits=(16, 4))
    date_from = fields.Date(string="Valid From", required=True)
    note = fields.Char()

    _unit_kind_date_uniq = models.Constraint(
        "UNIQUE (unit_id, kind, date_from)",
        "A unit can have only one value per basis kind and start date.",
    )
    _value_positive = models.Constraint(
        "CHECK (value >= 0)", "An allocation basis cannot be negative."
    )
