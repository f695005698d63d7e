# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

SUPPLY = [("on", "On"), ("off", "Off")]


class MeterRelayCommand(models.Model):
    """Every command sent to a meter's relay, with what the device confirmed."""

    _name = "meter.relay.command"
    _description = "Relay Command"
    _order = "sent_at desc, id desc"

    meter_id = fields.Many2one(
        "meter.meter", required=True, ondelete="cascade", index=True
    )
    device_id = fields.Many2one("meter.gateway.device", ondelete="set null")
    site_id = fields.Many2one(related="meter_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="meter_id.company_id", store=True)
    desired = fields.Selection(SUPPLY, required=True)
    actual = fields.Selection(SUPPLY, string="Confirmed")
    reason = fields.Char()
    sent_at = fields.Datetime(required=True)
    state = fields.Selection(
        [("confirmed", "Confirmed"), ("failed", "Failed")], required=True
    )
    raw = fields.Text(string="Raw Frames")
    error = fields.Text()
