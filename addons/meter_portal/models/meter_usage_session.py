# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.fields import Domain


class MeterUsageSession(models.Model):
    _name = "meter.usage.session"
    _inherit = ["meter.usage.session", "meter.portal.scope.mixin"]

    @api.model
    def _portal_scope_domain(self, periods):
        """The sessions of the user's occupancies (badged by them or
        started for them) that started inside the occupancy period: not
        another resident's, nor a previous tenant's on the same unit."""
        domains = []
        for period in periods:
            domain = Domain("occupancy_id", "=", period.occupancy_id) & Domain(
                "start_at", ">=", period.start
            )
            if period.end:
                domain &= Domain("start_at", "<", period.end)
            domains.append(domain)
        return Domain.OR(domains)
