# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class MeterOccupancy(models.Model):
    _name = "meter.occupancy"
    _inherit = [
        "meter.occupancy",
        "meter.portal.scope.mixin",
        "meter.portal.periods.source",
    ]

    portal_access_ids = fields.One2many("meter.portal.access", "occupancy_id")

    @api.model
    def _portal_scope_domain(self, periods):
        return [("id", "in", [period.occupancy_id for period in periods])]
