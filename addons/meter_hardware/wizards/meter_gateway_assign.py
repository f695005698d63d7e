# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class MeterGatewayAssign(models.TransientModel):
    """Assign many meters to a gateway at once: consecutive Modbus unit ids or
    M-Bus primary addresses (or Shelly channels) from a first one, one
    register map for all."""

    _name = "meter.gateway.assign"
    _description = "Assign Meters to a Gateway"

    gateway_id = fields.Many2one("meter.gateway", required=True)
    gateway_kind = fields.Selection(related="gateway_id.kind")
    meter_ids = fields.Many2many("meter.meter", string="Meters", required=True)
    map_id = fields.Many2one("meter.register.map", string="Register Map")
    first_address = fields.Integer(default=1)
    replace = fields.Boolean(
        string="Move from their current gateway",
        help="Meters already read through another gateway are moved; otherwise "
        "they are refused.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "meter.meter":
            values["meter_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return values

    def _prepare_device_vals(self):
        self.ensure_one()
        kind = self.gateway_id.kind
        vals_list = []
        for offset, meter in enumerate(self.meter_ids.sorted("name")):
            address = self.first_address + offset
            vals = {"gateway_id": self.gateway_id.id, "meter_id": meter.id}
            if kind.startswith("modbus"):
                vals.update(unit_id=address, map_id=self.map_id.id)
            elif kind.startswith("mbus"):
                vals["mbus_primary"] = address
            else:
                vals["shelly_channel"] = address
            vals_list.append(vals)
        return vals_list

    def action_assign(self):
        self.ensure_one()
        Device = self.env["meter.gateway.device"]
        current = Device.search([("meter_id", "in", self.meter_ids.ids)])
        if current and not self.replace:
            raise UserError(
                self.env._(
                    "Already on a gateway: %s. Tick 'Move from their current "
                    "gateway' to move them.",
                    ", ".join(current.mapped("meter_id.name")),
                )
            )
        if self.gateway_id.kind.startswith("modbus") and not self.map_id:
            raise UserError(self.env._("Choose the register map of these meters."))
        current.unlink()
        devices = Device.create(self._prepare_device_vals())
        return {
            "type": "ir.actions.act_window",
            "res_model": "meter.gateway",
            "res_id": self.gateway_id.id,
            "view_mode": "form",
            "target": "current",
            "context": {"assigned": len(devices)},
        }
