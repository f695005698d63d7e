# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..models.meter_meter import REGISTERS


class MeterReadingBatchLine(models.TransientModel):
    """One register of one meter in the batch form of a building."""

    _name = "meter.reading.batch.line"
    _description = "Reading to Enter"
    _order = "id"

    batch_id = fields.Many2one("meter.reading.batch", required=True, ondelete="cascade")
    meter_id = fields.Many2one("meter.meter", required=True, readonly=True)
    unit_id = fields.Many2one(related="meter_id.unit_id")
    resource_id = fields.Many2one(related="meter_id.resource_id")
    uom_id = fields.Many2one(related="meter_id.uom_id")
    register = fields.Selection(REGISTERS, required=True, default="T1", readonly=True)
    previous_read_at = fields.Datetime(string="Previous Reading", readonly=True)
    previous_value = fields.Float(digits=(16, 4), readonly=True)
    value = fields.Float(
        string="New Value", digits=(16, 4), help="Lines left at 0 are not stored."
    )
    confirm_anomaly = fields.Boolean(
        string="Confirm Unusual Consumption",
        help="Tick to store a consumption far above the usual one.",
    )
    verification_message = fields.Char(related="meter_id.verification_message")

    def _prepare_reading_vals(self, read_at):
        self.ensure_one()
        return {
            "meter_id": self.meter_id.id,
            "register": self.register,
            "read_at": read_at,
            "value": self.value,
            "source": "staff",
            "confirm_anomaly": self.confirm_anomaly,
        }
