# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from meterkit.ocpp.api import normalize_token

from odoo import api, fields, models


class MeterBadge(models.Model):
    """An RFID badge (token) of a resident, used at charge points, laundry
    machines and eBike sockets alike. Only an active badge is accepted; a lost
    or blocked one is refused at the next Authorize (the central system
    reloads the list)."""

    _name = "meter.badge"
    _description = "RFID Badge"
    _inherit = ["mail.thread"]
    _order = "site_id, token"
    _rec_name = "token"
    _check_company_auto = True

    token = fields.Char(
        required=True, tracking=True, help="RFID UID, e.g. 04A1B2C3D4E5F6."
    )
    label = fields.Char(help="Number printed on the badge.")
    site_id = fields.Many2one(
        "meter.site",
        required=True,
        index=True,
        check_company=True,
        domain="[('is_group', '=', False)]",
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Holder", tracking=True)
    occupancy_id = fields.Many2one(
        "meter.occupancy",
        check_company=True,
        domain="[('site_id', '=', site_id)]",
        tracking=True,
        help="The occupancy whose resident is billed for the sessions.",
    )
    state = fields.Selection(
        [("active", "Active"), ("lost", "Lost"), ("blocked", "Blocked")],
        default="active",
        required=True,
        tracking=True,
        index=True,
    )

    _token_uniq = models.Constraint(
        "UNIQUE(token)", "A badge with this RFID token already exists."
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("token"):
                vals["token"] = normalize_token(vals["token"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("token"):
            vals = {**vals, "token": normalize_token(vals["token"])}
        return super().write(vals)

    @api.onchange("occupancy_id")
    def _onchange_occupancy_id(self):
        if self.occupancy_id and not self.partner_id:
            self.partner_id = self.occupancy_id.partner_id

    def action_lost(self):
        self.write({"state": "lost"})
        return True

    def action_block(self):
        self.write({"state": "blocked"})
        return True

    def action_activate(self):
        self.write({"state": "active"})
        return True
