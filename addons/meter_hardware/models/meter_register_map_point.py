# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit.drivers import DriverError, RegisterPoint
from meterkit.drivers.registers import DTYPES

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.meter_base.models.meter_meter import REGISTERS


class MeterRegisterMapPoint(models.Model):
    """One value of a register map: quantity, address, type, word order,
    scale and, for billing counters, the meter register it feeds."""

    _name = "meter.register.map.point"
    _description = "Register Map Value"
    _order = "map_id, table, address, id"

    map_id = fields.Many2one(
        "meter.register.map", required=True, ondelete="cascade", index=True
    )
    quantity = fields.Char(
        required=True,
        help="energy_import, energy_export, energy_total, voltage, current, "
        "power, power_total, frequency, power_factor...",
    )
    phase = fields.Char(help="L1, L2, L3 or a tariff label; empty for totals.")
    address = fields.Integer(required=True, help="0-based wire address.")
    table = fields.Selection(
        [("input", "Input (FC04)"), ("holding", "Holding (FC03)")],
        required=True,
        default="input",
    )
    dtype = fields.Selection(
        [(code, code) for code in DTYPES],
        string="Type",
        required=True,
        default="float32",
    )
    word_order = fields.Selection(
        [("big", "High word first"), ("little", "Low word first")],
        required=True,
        default="big",
    )
    scale = fields.Char(required=True, default="1", help="Value = raw x scale.")
    unit = fields.Char()
    register = fields.Selection(
        REGISTERS,
        help="Meter register (T1..T8) this counter feeds; empty for live values.",
    )

    @api.constrains("address", "scale", "dtype", "table", "word_order", "register")
    def _check_point(self):
        for point in self:
            try:
                point._to_meterkit()
            except (DriverError, ArithmeticError, ValueError) as error:
                raise ValidationError(
                    self.env._(
                        "Register map %(map)s, value %(value)s: %(error)s",
                        map=point.map_id.name,
                        value=point.quantity,
                        error=error,
                    )
                ) from error

    def _to_meterkit(self):
        self.ensure_one()
        return RegisterPoint(
            self.quantity,
            self.address,
            self.dtype,
            self.table,
            self.word_order,
            Decimal(self.scale or "1"),
            self.unit or "",
            self.phase or "",
            self.register or "",
        )
