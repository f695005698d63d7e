# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


class MeterSupplySet(models.TransientModel):
    """Set the desired supply of meters in two steps: choose, then confirm
    after seeing who is affected. The poller switches the relays and records
    what the devices confirm."""

    _name = "meter.supply.set"
    _inherit = ["meter.wizard.reopen"]
    _description = "Set Supply"

    meter_ids = fields.Many2many("meter.meter", required=True)
    desired = fields.Selection(
        [("on", "Supply on"), ("off", "Supply off (cut)")], required=True, default="off"
    )
    reason = fields.Char(required=True)
    step = fields.Selection(
        [("choose", "Choose"), ("confirm", "Confirm")], default="choose", required=True
    )
    summary = fields.Text(readonly=True)
    confirmed = fields.Boolean(string="I confirm this change")

    def action_next(self):
        """Step 1 -> 2: list what will change and who lives behind it."""
        self.ensure_one()
        self.meter_ids.check_access("write")
        no_relay = self.meter_ids.filtered(lambda m: not m.has_relay)
        if no_relay:
            raise UserError(
                self.env._(
                    "No relay is mapped for: %s. Add a relay point to their register "
                    "map, or leave these meters out.",
                    ", ".join(no_relay.mapped("name")),
                )
            )
        lines = [
            self.env._(
                "%(meter)s (%(unit)s): %(now)s -> %(new)s",
                meter=meter.name,
                unit=meter.unit_id.display_name or meter.site_id.display_name,
                now=meter.supply_actual or self.env._("unknown"),
                new=self.desired,
            )
            for meter in self.meter_ids
        ]
        self.write({"step": "confirm", "summary": "\n".join(lines)})
        return self._reopen()

    def action_confirm(self):
        """Step 2: record the desired state; the poller does the switching."""
        self.ensure_one()
        if self.step != "confirm" or not self.confirmed:
            raise UserError(self.env._("Tick the confirmation box first."))
        self.meter_ids.check_access("write")
        self.meter_ids._request_supply(self.desired, self.reason)
        return {"type": "ir.actions.act_window_close"}
