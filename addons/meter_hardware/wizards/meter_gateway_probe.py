# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from meterkit.drivers import DriverError
from meterkit.drivers.poller import open_gateway

from odoo import api, fields, models


class MeterGatewayProbe(models.TransientModel):
    """What a commissioning step found (connection test, scan, live values)."""

    _name = "meter.gateway.probe"
    _description = "Gateway Commissioning Result"

    gateway_id = fields.Many2one("meter.gateway", required=True)
    gateway_kind = fields.Selection(related="gateway_id.kind")
    first_address = fields.Integer(default=1)
    last_address = fields.Integer(default=16)
    secondary = fields.Boolean(
        string="Secondary Addresses",
        help="M-Bus: wildcard search of secondary addresses (slower; finds "
        "meters without a primary address).",
    )
    result = fields.Text(readonly=True)

    @api.model
    def _scan(self, gateway):
        probe = self.create({"gateway_id": gateway.id})
        return probe._action_open()

    def _action_open(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Scan"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_run_scan(self):
        """Scan Modbus unit ids or M-Bus primary addresses in the range."""
        self.ensure_one()
        gateway = self.gateway_id
        gateway.check_access("write")
        spec = gateway._poll_specs(with_relays=False)[0]
        addresses = range(self.first_address, self.last_address + 1)
        lines = []
        try:
            client = open_gateway(spec)
            try:
                if gateway.kind.startswith("modbus"):
                    regmap = gateway.device_ids.map_id[:1]
                    found = client.scan(
                        addresses, regmap._to_meterkit() if regmap else None
                    )
                    lines = [f"unit {u}: {status} {text}" for u, status, text in found]
                elif gateway.kind.startswith("mbus") and self.secondary:
                    lines = [f"secondary {a}" for a in client.scan_secondary()]
                elif gateway.kind.startswith("mbus"):
                    lines = [f"primary {a}" for a in client.scan_primary(addresses)]
                else:
                    info = client.device_info()
                    lines = [f"{k}: {v}" for k, v in sorted(info.items())]
            finally:
                client.close()
        except DriverError as error:
            lines.append(f"{error.code}: {error}")
        known = set(
            gateway.device_ids.mapped("unit_id")
            if gateway.kind.startswith("modbus")
            else gateway.device_ids.mapped("mbus_primary")
        )
        header = self.env._(
            "%(count)s answer(s) between %(first)s and %(last)s; mapped: %(known)s",
            count=len(lines),
            first=self.first_address,
            last=self.last_address,
            known=", ".join(map(str, sorted(known))) or "-",
        )
        self.result = "\n".join([header, *lines])
        return self._action_open()
