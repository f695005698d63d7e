# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterResource(models.Model):
    """A metered resource: electricity, heat, hot or cold water, gas, ..."""

    _name = "meter.resource"
    _description = "Metered Resource"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable code used in exchange files.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    uom_id = fields.Many2one("uom.uom", string="Unit of Measure", required=True)
    decimals = fields.Integer(
        string="Decimals Allowed",
        default=3,
        help="Decimal places accepted in readings of this resource (0: integers only).",
    )
    max_rate = fields.Float(
        string="Maximum rate per hour",
        digits=(16, 4),
        help="Most a meter of this resource can count in an hour (maximum flow or "
        "power, in the resource's unit): a recorded rollover implying more "
        "consumption in the time since the previous reading is refused. "
        "Empty: no limit. A meter can set its own.",
    )
    max_value = fields.Float(
        string="Largest Reading",
        digits=(16, 0),
        help="Largest value a register of this resource can show when its meter "
        "has no rollover value; a reading at or above it is refused "
        "(above_capacity). 0: 10^12.",
    )
    color = fields.Integer()
    anomaly_factor = fields.Float(
        string="Unusual Consumption Factor",
        default=3.0,
        digits=(16, 2),
        help="Default for meters without a reading rule: a consumption above "
        "this factor times the average monthly consumption of the last three "
        "months (scaled to the days since the previous reading) needs an "
        "explicit confirmation (0: no check). A reading rule overrides it.",
    )

    _code_uniq = models.Constraint("UNIQUE (code)", "The resource code must be unique.")
    _anomaly_factor_positive = models.Constraint(
        "CHECK (anomaly_factor >= 0)",
        "The unusual consumption factor cannot be negative.",
    )
    _decimals_range = models.Constraint(
        "CHECK (decimals >= 0 AND decimals <= 6)",
        "Decimals allowed must be between 0 and 6.",
    )
    _max_value_positive = models.Constraint(
        "CHECK (max_value >= 0)", "The largest reading cannot be negative."
    )
