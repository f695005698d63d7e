# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .meter_relay_command import SUPPLY


class MeterMeter(models.Model):
    """Gateway mappings, the desired supply state (set by a user through a
    two-step confirmation, or later by prepaid billing) and what the relay
    last confirmed."""

    _inherit = "meter.meter"

    gateway_device_ids = fields.One2many(
        "meter.gateway.device", "meter_id", string="Gateway Mappings"
    )
    gateway_id = fields.Many2one(
        "meter.gateway", compute="_compute_gateway_id", string="Gateway"
    )
    supply_desired = fields.Selection(
        SUPPLY, string="Desired Supply", readonly=True, tracking=True, copy=False
    )
    supply_reason = fields.Char(readonly=True, tracking=True, copy=False)
    supply_actual = fields.Selection(
        SUPPLY, string="Confirmed Supply", readonly=True, copy=False
    )
    supply_confirmed_at = fields.Datetime(readonly=True, copy=False)
    has_relay = fields.Boolean(compute="_compute_gateway_id")
    relay_command_ids = fields.One2many("meter.relay.command", "meter_id")
    alarm_ids = fields.One2many("meter.alarm", "meter_id")

    def _compute_gateway_id(self):
        for meter in self:
            device = meter.gateway_device_ids.filtered("active")[:1]
            meter.gateway_id = device.gateway_id
            meter.has_relay = bool(device) and device.relay_kind != "none"

    def _request_supply(self, desired, reason):
        """Ask for the supply of these meters to be ``on`` or ``off``: the
        next poll (triggered now) switches their relays and records what the
        devices confirm. Used by the confirmation wizard and by other addons
        (prepaid billing); callers check the user's rights first."""
        meters_sudo = self.sudo()
        meters_sudo.write({"supply_desired": desired, "supply_reason": reason})
        gateways_sudo = meters_sudo.gateway_id
        gateways_sudo.write({"next_poll_at": fields.Datetime.now()})
        cron = self.env.ref(
            "meter_hardware.ir_cron_meter_gateway_poll", raise_if_not_found=False
        )
        if cron:
            cron_sudo = cron.sudo()
            cron_sudo._trigger()

    def action_set_supply(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set Supply"),
            "res_model": "meter.supply.set",
            "view_mode": "form",
            "target": "new",
            "context": {"default_meter_ids": self.ids},
        }
