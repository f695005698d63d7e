# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    meter_assigned_site_ids = fields.Many2many(
        "meter.site",
        "meter_site_res_users_rel",
        "user_id",
        "site_id",
        string="Assigned Sites",
        help="Sites (or portfolio groups) this staff member works on.",
    )
    meter_site_ids = fields.Many2many(
        "meter.site",
        string="Accessible Sites",
        compute="_compute_meter_site_ids",
        help="Assigned sites and every site below an assigned portfolio group; "
        "used by the record rules of metering staff.",
    )

    @api.depends("meter_assigned_site_ids")
    def _compute_meter_site_ids(self):
        # Record rules read this field: it must not depend on the rules it feeds,
        # so the hierarchy is read as superuser, limited to the assignments.
        sites_sudo = self.env["meter.site"].sudo().with_context(active_test=False)
        for user in self:
            assigned = user.sudo().meter_assigned_site_ids
            user.meter_site_ids = (
                sites_sudo.search([("id", "child_of", assigned.ids)])
                if assigned
                else False
            )

    def write(self, vals):
        result = super().write(vals)
        if "meter_assigned_site_ids" in vals:
            self.env.registry.clear_cache()  # record rules read the assignments
        return result
