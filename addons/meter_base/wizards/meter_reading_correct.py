# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterReadingCorrect(models.TransientModel):
    """Correct a reading: the old one is kept as superseded, a new one replaces it."""

    _name = "meter.reading.correct"
    _description = "Correct a Reading"

    reading_id = fields.Many2one("meter.reading", required=True)
    meter_id = fields.Many2one(related="reading_id.meter_id")
    old_value = fields.Float(related="reading_id.value", string="Current Value")
    value = fields.Float(string="Corrected Value", digits=(16, 4), required=True)
    is_rollover = fields.Boolean(string="Counter Rolled Over")
    reason = fields.Char(required=True)
    confirm_anomaly = fields.Boolean(
        string="Confirm Unusual Consumption",
        help="Tick to store a corrected consumption far above the average of "
        "the last three months.",
    )

    def action_correct(self):
        self.ensure_one()
        new = self.reading_id.with_context(
            meter_confirm_anomaly=self.confirm_anomaly
        )._correct(self.value, self.reason, is_rollover=self.is_rollover)
        return {
            "type": "ir.actions.act_window",
            "res_model": "meter.reading",
            "res_id": new.id,
            "view_mode": "form",
        }
