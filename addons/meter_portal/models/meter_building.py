# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MeterBuilding(models.Model):
    _name = "meter.building"
    _inherit = ["meter.building", "meter.portal.scope.mixin"]

    @api.model
    def _portal_scope_domain(self, periods):
        return [("id", "in", list({period.building_id for period in periods}))]
