# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MeterSite(models.Model):
    _name = "meter.site"
    _inherit = [
        "meter.site",
        "meter.portal.scope.mixin",
        "meter.portal.periods.source",
    ]

    @api.model
    def _portal_scope_domain(self, periods):
        return [("id", "in", list({period.site_id for period in periods}))]
